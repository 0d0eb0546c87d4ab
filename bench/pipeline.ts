/**
 * bench/pipeline (issue 9): N real repositories (npm packages from node_modules, committed as git
 * repositories and served by `git daemon`) through the whole pipeline twice:
 *   - distributed: two `repolens worker` processes on a 3-broker Kafka cluster and PostgreSQL,
 *     timed from publishing the discovery messages to every repository `analyzed` in the store;
 *   - direct: the same stage functions (clone, select, load RAG, analyse) called in one process
 *     without a bus or status messages, with as many repositories at once as the workers have
 *     handlers in total.
 * Each mode starts from an empty workspace and database. Prints both times and the ratio.
 * Target: the pipeline spends at most 10 % more time than the direct calls.
 *
 *   npm run bench:pipeline            (BENCH_REPOS=20 by default; KAFKA_BROKERS to reuse a cluster)
 *
 * It also prints where the pipeline's time went, from the status history the Database Service
 * recorded: per stage, the median time from the previous stage's last status to this stage's
 * first one (the hand-off: bus, consumer, task journal) and the median stage_duration (the work),
 * beside the median time of the same stage called directly.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load-config.js';
import { openEnvironment } from '../src/composition/open-environment.js';
import { RepositoryStatuses } from '../src/contracts/status-message.js';
import { Topics } from '../src/contracts/topics.js';
import { encodeMessage } from '../src/contracts/validation.js';
import { createKafkaBus } from '../src/adapters/bus-kafka/index.js';
import { buildStages } from '../src/runtime/services.js';
import { createNamespace, namespacedBus } from '../src/runtime/namespace.js';
import type { StageJob } from '../src/services/stage/stage-job.js';
import { createRepoRoot, startGitDaemon } from '../test/support/git-server.js';
import { createTestSchema } from '../test/support/postgres.js';
import { startWorker } from '../test/support/worker-process.js';
import { cpuDifference, cpuSnapshot } from './support/cpu.js';
import { benchCluster } from './support/kafka.js';

const REPOS = Number(process.env['BENCH_REPOS'] ?? 20);
const CONCURRENCY_PER_WORKER = 4;
const WORKERS = 2;
const log = (message: string): void => void process.stderr.write(`bench:pipeline ${message}\n`);

/** Packages of moderate size (20-300 files) from node_modules, as file maps. */
function pickPackages(count: number): { name: string; files: Record<string, Buffer> }[] {
  const root = new URL('../node_modules/', import.meta.url).pathname;
  const picked: { name: string; files: Record<string, Buffer> }[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.') || name.startsWith('@') || picked.length >= count) continue;
    const files: Record<string, Buffer> = {};
    const walk = (dir: string, prefix: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === 'node_modules') continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
        else if (entry.isFile() && statSync(path).size < 512 * 1024)
          files[`${prefix}${entry.name}`] = readFileSync(path);
      }
    };
    walk(join(root, name), '');
    const size = Object.keys(files).length;
    if (size >= 20 && size <= 300) picked.push({ name, files });
  }
  return picked;
}

async function deleteTopicsWithPrefix(brokers: readonly string[], prefix: string): Promise<void> {
  const admin = new Admin({ clientId: 'bench-pipeline-cleanup', bootstrapBrokers: [...brokers] });
  try {
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.close();
  }
}

interface HistoryRow {
  readonly repository_url: string;
  readonly status: string;
  readonly progress: number;
  readonly stage_duration_ms: string;
  readonly at_ms: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Hand-off and work time per stage, from the status history (message timestamps). */
async function stageBreakdown(
  pool: { query<T>(sql: string): Promise<{ rows: T[] }> },
  startedAtMs: number,
  directWork: readonly (readonly number[])[],
): Promise<string[]> {
  const { rows } = await pool.query<HistoryRow>(
    `SELECT repository_url, status, progress, stage_duration_ms,
            extract(epoch FROM message_timestamp) * 1000 AS at_ms
       FROM repository_status_history ORDER BY repository_url, message_timestamp, id`,
  );
  const byRepository = new Map<string, HistoryRow[]>();
  for (const row of rows) {
    const history = byRepository.get(row.repository_url) ?? [];
    history.push(row);
    byRepository.set(row.repository_url, history);
  }
  return RepositoryStatuses.map((status, i) => {
    const handOffs: number[] = [];
    const work: number[] = [];
    for (const history of byRepository.values()) {
      const first = history.find((row) => row.status === status);
      const done = history.find((row) => row.status === status && row.progress === 100);
      const previous = i === 0 ? undefined : history.findLast((row) => row.status === RepositoryStatuses[i - 1]);
      if (first !== undefined) handOffs.push(first.at_ms - (previous?.at_ms ?? startedAtMs));
      if (done !== undefined) work.push(Number(done.stage_duration_ms));
    }
    const from = i === 0 ? 'discovery published' : RepositoryStatuses[i - 1];
    return (
      `  ${status.padEnd(15)} hand-off from ${from}: ${Math.round(median(handOffs))} ms, ` +
      `work: ${Math.round(median(work))} ms (direct: ${Math.round(median(directWork[i] ?? []))} ms)`
    );
  });
}

async function main(): Promise<void> {
  const packages = pickPackages(REPOS);
  log(`${packages.length} repositories from node_modules: ${packages.map((p) => p.name).join(', ')}`);
  const repoRoot = await createRepoRoot();
  for (const pkg of packages) await repoRoot.createBareRepo(pkg.name, pkg.files);
  const daemon = await startGitDaemon(repoRoot.dir);
  const urls = packages.map((pkg) => daemon.url(pkg.name).replace(/\.git$/, ''));
  const scratch = await mkdtemp(join(tmpdir(), 'repolens-bench-pipeline-'));
  const cluster = await benchCluster(log);
  try {
    // Direct: the stages in one process, no bus.
    const directSchema = await createTestSchema('bench_direct');
    const config = loadConfig({
      flags: {
        databaseUrl: directSchema.url,
        workspaceDir: join(scratch, 'direct-workspace'),
        dataDir: join(scratch, 'direct-data'),
        gitProtocols: ['git'],
      },
    });
    const env = await openEnvironment(
      config,
      { mode: 'embedded', allowLocal: false },
      {
        version: 'bench',
        logger: pino({ level: 'warn' }, pino.destination(2)),
        connectKafka: () => Promise.reject(new Error('not used')),
      },
    );
    const { cloning, taskStages } = buildStages(env, config);
    const stages = [cloning, ...taskStages].filter((stage) => stage !== undefined);
    const signal = new AbortController().signal;
    const directWork: number[][] = stages.map(() => []);
    const directCpuBefore = cpuSnapshot();
    const directStarted = performance.now();
    const queue = [...urls];
    await Promise.all(
      Array.from({ length: CONCURRENCY_PER_WORKER * WORKERS }, async () => {
        for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
          let job: StageJob = {
            repositoryUrl: url,
            priority: 3,
            commit: undefined,
            defaultBranch: undefined,
            runId: url,
            forced: false,
          };
          for (const [i, stage] of stages.entries()) {
            const stageStarted = performance.now();
            const outcome = await stage.run(job, { signal, progress: () => undefined });
            directWork[i]?.push(performance.now() - stageStarted);
            job = {
              ...job,
              commit: outcome?.commit ?? job.commit,
              defaultBranch: outcome?.defaultBranch ?? job.defaultBranch,
            };
          }
        }
      }),
    );
    const directMs = performance.now() - directStarted;
    const directCpu = cpuDifference(directCpuBefore, cpuSnapshot());
    await env.close();
    await directSchema.drop();
    log(`direct: ${Math.round(directMs)} ms`);

    // Distributed: two workers on Kafka and PostgreSQL.
    const schema = await createTestSchema('bench_pipeline');
    const prefix = `bench-${Date.now().toString(36)}.`;
    const workerEnv = (i: number): NodeJS.ProcessEnv => ({
      REPOLENS_BROKERS: cluster.brokers.join(','),
      REPOLENS_TOPIC_PREFIX: prefix,
      DATABASE_URL: schema.url,
      REPOLENS_WORKSPACE: join(scratch, `workspace-${i}`),
      REPOLENS_DATA_DIR: join(scratch, `data-${i}`),
      REPOLENS_GIT_PROTOCOLS: 'git',
      REPOLENS_CONSUMER_CONCURRENCY: String(CONCURRENCY_PER_WORKER),
      REPOLENS_LOG_LEVEL: 'warn',
    });
    const workers = [startWorker([], workerEnv(0))];
    await workers[0]?.ready;
    workers.push(startWorker([], workerEnv(1)));
    await Promise.all(workers.map((worker) => worker.ready));
    const rawBus = createKafkaBus({ brokers: cluster.brokers, clientId: 'bench-pipeline' });
    const bus = namespacedBus(rawBus, createNamespace(prefix));
    const pool = schema.pool();
    const workerPids = new Set(workers.flatMap((worker) => (worker.child.pid === undefined ? [] : [worker.child.pid])));
    const pipelineCpuBefore = cpuSnapshot(workerPids);
    const pipelineStarted = performance.now();
    await bus.produce(
      urls.map((url) => ({
        topic: Topics.discovery,
        key: url,
        value: encodeMessage(Topics.discovery, {
          repository_url: url,
          discovery_timestamp: new Date().toISOString(),
          priority: 3,
          source: 'automatic',
        }),
      })),
    );
    for (;;) {
      const { rows } = await pool
        .query<{ done: number; failed: number }>(
          `SELECT count(*) FILTER (WHERE status = 'analyzed' AND progress = 100 AND NOT failed)::int AS done,
                  count(*) FILTER (WHERE failed)::int AS failed FROM repository_status`,
        )
        .catch(() => ({ rows: [{ done: 0, failed: 0 }] }));
      const row = rows[0] ?? { done: 0, failed: 0 };
      if (row.failed > 0) throw new Error(`${row.failed} repositories failed in the pipeline`);
      if (row.done === urls.length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pipelineMs = performance.now() - pipelineStarted;
    const pipelineCpu = cpuDifference(pipelineCpuBefore, cpuSnapshot(workerPids));
    // A repository checked out by both workers was cloned twice: a stage ran away from its checkout.
    const checkouts = Array.from({ length: WORKERS }, (_, i) => {
      try {
        return readdirSync(join(scratch, `workspace-${i}`, 'repos')).length;
      } catch {
        return 0;
      }
    });
    const breakdown = await stageBreakdown(pool, Date.now() - pipelineMs, directWork);
    await bus.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    await schema.drop();
    // A reused cluster keeps no topics of this run: hundreds of idle replicated partitions
    // would make the next run's brokers slower.
    await deleteTopicsWithPrefix(cluster.brokers, prefix);

    const ratio = pipelineMs / directMs;
    process.stdout.write(
      [
        '',
        `repositories: ${urls.length} (npm packages, ${packages.reduce((n, p) => n + Object.keys(p.files).length, 0)} files)`,
        `direct, one process, ${CONCURRENCY_PER_WORKER * WORKERS} at once, no bus:  ${(directMs / 1000).toFixed(1)} s`,
        `pipeline, ${WORKERS} workers on Kafka + PostgreSQL:     ${(pipelineMs / 1000).toFixed(1)} s`,
        `ratio pipeline/direct: ${ratio.toFixed(2)} (target <= 1.10)`,
        '',
        `checkouts per worker: ${checkouts.join(' + ')} = ${checkouts.reduce((a, b) => a + b, 0)} clones for ${urls.length} repositories`,
        `CPU time, direct:   ${directCpu}`,
        `CPU time, pipeline: ${pipelineCpu}`,
        '',
        'pipeline per stage (medians over repositories):',
        ...breakdown,
        '',
      ].join('\n'),
    );
  } finally {
    await cluster.stop();
    await daemon.close();
    await repoRoot.remove();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
