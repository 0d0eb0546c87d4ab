/**
 * bench/pipeline (issue 9): real repositories (npm packages from node_modules, committed as git
 * repositories and served by `git daemon`) through the whole pipeline in two modes:
 *   - pipeline: two `repolens worker` processes on a 3-broker Kafka cluster and PostgreSQL,
 *     timed from publishing the discovery messages to every repository `analyzed` in the store;
 *   - direct: the same stage functions (clone, select, load RAG, analyse) called in one process
 *     without a bus or status messages, with as many repositories at once as the workers have
 *     handlers in total.
 * Both modes first run a few warm-up repositories (left out of every figure), then take turns
 * over BENCH_ROUNDS rounds of BENCH_REPOS new repositories each, alternating which goes first.
 * Prints each round's times and ratio and the median ratio. Target: the pipeline spends at most
 * 10 % more time than the direct calls.
 *
 *   npm run bench:pipeline     (KAFKA_BROKERS to reuse a cluster; BENCH_WORKSPACE=separate to give
 *                               each worker its own workspace, as on separate machines)
 *
 * It also prints where the pipeline's time went: clones and fetches the git server served, CPU
 * seconds per kind of process, and, from the status history the Database Service recorded, per
 * stage the median time from the previous stage's last status to this stage's first one (the
 * hand-off: bus, consumer, task journal) and the median stage_duration (the work), beside the
 * median time of the same stage called directly.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RepositoryStatuses } from '../src/contracts/status-message.js';
import { createRepoRoot, startGitDaemon, type GitDaemon } from '../test/support/git-server.js';
import { addCpu, cpuDelta, cpuSnapshot, formatCpu, type CpuKind } from './support/cpu.js';
import { benchCluster } from './support/kafka.js';
import { openDirectRunner } from './support/pipeline-direct.js';
import { openDistributedRunner } from './support/pipeline-distributed.js';

const REPOS = Number(process.env['BENCH_REPOS'] ?? 20);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
// Repositories run through each mode before the timed ones: long-running brokers and workers
// have compiled their hot code; JVMs and Node processes just started have not.
const WARMUP_REPOS = Number(process.env['BENCH_WARMUP_REPOS'] ?? 20);
const SHARED_WORKSPACE = process.env['BENCH_WORKSPACE'] !== 'separate';
const CONCURRENCY_PER_WORKER = 4;
const WORKERS = 2;
const log = (message: string): void => void process.stderr.write(`bench:pipeline ${message}\n`);

/** Packages of moderate size (20-300 files) from node_modules, scoped ones too, as file maps. */
function pickPackages(count: number): { name: string; files: Record<string, Buffer> }[] {
  const root = new URL('../node_modules/', import.meta.url).pathname;
  const names = readdirSync(root)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(root, name)).map((inner) => `${name}/${inner}`) : [name],
    )
    .sort();
  const picked: { name: string; files: Record<string, Buffer> }[] = [];
  for (const name of names) {
    if (picked.length >= count) break;
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
    // A repository name without the scope's slash: `@scope/name` becomes `scope-name`.
    if (size >= 20 && size <= 300) picked.push({ name: name.replace(/^@/, '').replace('/', '-'), files });
  }
  return picked;
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
  pool: { query<T>(sql: string, values: unknown[]): Promise<{ rows: T[] }> },
  urls: readonly string[],
  publishedAtMs: ReadonlyMap<string, number>,
  directWork: readonly (readonly number[])[],
): Promise<string[]> {
  const { rows } = await pool.query<HistoryRow>(
    `SELECT repository_url, status, progress, stage_duration_ms,
            extract(epoch FROM message_timestamp) * 1000 AS at_ms
       FROM repository_status_history WHERE repository_url = ANY($1)
      ORDER BY repository_url, message_timestamp, id`,
    [urls],
  );
  const byRepository = new Map<string, HistoryRow[]>();
  for (const row of rows) {
    const history = byRepository.get(row.repository_url) ?? [];
    history.push(row);
    byRepository.set(row.repository_url, history);
  }
  const perStage = RepositoryStatuses.map((status, i) => {
    const handOffs: number[] = [];
    const work: number[] = [];
    for (const [url, history] of byRepository) {
      const first = history.find((row) => row.status === status);
      const done = history.find((row) => row.status === status && row.progress === 100);
      const previous = i === 0 ? undefined : history.findLast((row) => row.status === RepositoryStatuses[i - 1]);
      if (first !== undefined) handOffs.push(first.at_ms - (previous?.at_ms ?? publishedAtMs.get(url) ?? Number.NaN));
      if (done !== undefined) work.push(Number(done.stage_duration_ms));
    }
    const from = i === 0 ? 'discovery published' : RepositoryStatuses[i - 1];
    return (
      `  ${status.padEnd(15)} hand-off from ${from}: ${Math.round(median(handOffs))} ms, ` +
      `work: ${Math.round(median(work))} ms (direct: ${Math.round(median(directWork[i] ?? []))} ms)`
    );
  });
  const messages = median([...byRepository.values()].map((history) => history.length));
  return [...perStage, `  status messages per repository: ${messages} (median)`];
}

interface ModeResult {
  readonly ms: number;
  readonly cpu: Map<CpuKind, number>;
  /** Clones and fetches the git server served (upload-pack requests). */
  readonly gitRequests: number;
}

async function measure(
  daemon: GitDaemon,
  workerPids: ReadonlySet<number>,
  run: () => Promise<void>,
): Promise<ModeResult> {
  const cpuBefore = cpuSnapshot(workerPids);
  const requestsBefore = daemon.uploadPacks();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  // Let the daemon's last log lines arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    ms,
    cpu: cpuDelta(cpuBefore, cpuSnapshot(workerPids)),
    gitRequests: daemon.uploadPacks() - requestsBefore,
  };
}

async function main(): Promise<void> {
  const available = pickPackages(WARMUP_REPOS + ROUNDS * REPOS);
  if (available.length < WARMUP_REPOS + ROUNDS * REPOS) {
    throw new Error(
      `node_modules has ${available.length} packages of 20-300 files; ` +
        `BENCH_WARMUP_REPOS + BENCH_ROUNDS x BENCH_REPOS needs ${WARMUP_REPOS + ROUNDS * REPOS}`,
    );
  }
  const warmupPackages = available.slice(0, WARMUP_REPOS);
  // Every ROUNDS-th package goes to the same round, so the rounds get a similar mix of sizes.
  const roundPackages = Array.from({ length: ROUNDS }, (_, r) =>
    available.slice(WARMUP_REPOS).filter((_, i) => i % ROUNDS === r),
  );
  log(`warm-up: ${warmupPackages.map((p) => p.name).join(', ')}`);
  for (const [r, round] of roundPackages.entries()) log(`round ${r + 1}: ${round.map((p) => p.name).join(', ')}`);
  const repoRoot = await createRepoRoot();
  for (const pkg of available) await repoRoot.createBareRepo(pkg.name, pkg.files);
  const daemon = await startGitDaemon(repoRoot.dir, { countRequests: true });
  const urlOf = (pkg: { name: string }): string => daemon.url(pkg.name).replace(/\.git$/, '');
  const scratch = await mkdtemp(join(tmpdir(), 'repolens-bench-pipeline-'));
  const cluster = await benchCluster(log);
  const direct = await openDirectRunner(scratch, CONCURRENCY_PER_WORKER * WORKERS);
  const distributed = await openDistributedRunner({
    brokers: cluster.brokers,
    scratch,
    workers: WORKERS,
    concurrencyPerWorker: CONCURRENCY_PER_WORKER,
    sharedWorkspace: SHARED_WORKSPACE,
  });
  try {
    const warmupUrls = warmupPackages.map(urlOf);
    await direct.run(warmupUrls, []);
    await distributed.run(warmupUrls);
    log('warmed up');

    const directWork: number[][] = Array.from({ length: direct.stageCount }, () => []);
    const rounds: { direct: ModeResult; pipeline: ModeResult }[] = [];
    for (const [r, round] of roundPackages.entries()) {
      const urls = round.map(urlOf);
      const runDirect = async (): Promise<ModeResult> => {
        distributed.pause();
        try {
          return await measure(daemon, new Set(), () => direct.run(urls, directWork));
        } finally {
          distributed.resume();
        }
      };
      const runPipeline = (): Promise<ModeResult> =>
        measure(daemon, distributed.workerPids, () => distributed.run(urls));
      // Alternate which mode goes first, so a drift in the machine's load hits both alike.
      let result: { direct: ModeResult; pipeline: ModeResult };
      if (r % 2 === 0) {
        const d = await runDirect();
        result = { direct: d, pipeline: await runPipeline() };
      } else {
        const p = await runPipeline();
        result = { direct: await runDirect(), pipeline: p };
      }
      rounds.push(result);
      log(
        `round ${r + 1}: direct ${Math.round(result.direct.ms)} ms, pipeline ${Math.round(result.pipeline.ms)} ms, ` +
          `ratio ${(result.pipeline.ms / result.direct.ms).toFixed(2)}`,
      );
    }
    const timedUrls = roundPackages.flat().map(urlOf);
    const breakdown = await stageBreakdown(distributed.schema.pool(), timedUrls, distributed.publishedAtMs, directWork);
    const total = (mode: 'direct' | 'pipeline'): ModeResult => {
      const cpu = new Map<CpuKind, number>();
      for (const round of rounds) addCpu(cpu, round[mode].cpu);
      return {
        ms: rounds.reduce((sum, round) => sum + round[mode].ms, 0),
        cpu,
        gitRequests: rounds.reduce((sum, round) => sum + round[mode].gitRequests, 0),
      };
    };
    const directTotal = total('direct');
    const pipelineTotal = total('pipeline');
    const ratios = rounds.map((round) => round.pipeline.ms / round.direct.ms);
    const files = roundPackages.flat().reduce((n, p) => n + Object.keys(p.files).length, 0);
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    process.stdout.write(
      [
        '',
        `${ROUNDS} rounds of ${REPOS} repositories (npm packages, ${files} files in all), ` +
          `after ${WARMUP_REPOS} to warm up each mode`,
        `direct: one process, ${CONCURRENCY_PER_WORKER * WORKERS} at once, no bus`,
        `pipeline: ${WORKERS} workers x ${CONCURRENCY_PER_WORKER} handlers on Kafka + PostgreSQL, ` +
          `${SHARED_WORKSPACE ? 'one shared workspace (as on one machine)' : 'a workspace each (as on separate machines)'}`,
        '',
        'round  direct   pipeline  ratio',
        ...rounds.map(
          (round, r) =>
            `${String(r + 1).padEnd(7)}${seconds(round.direct.ms).padEnd(9)}${seconds(round.pipeline.ms).padEnd(10)}` +
            `${(round.pipeline.ms / round.direct.ms).toFixed(2)}`,
        ),
        `ratio pipeline/direct, median of ${ROUNDS} rounds: ${median(ratios).toFixed(2)} (target <= 1.10); ` +
          `total ${seconds(pipelineTotal.ms)} / ${seconds(directTotal.ms)} = ${(pipelineTotal.ms / directTotal.ms).toFixed(2)}`,
        '',
        `git clones and fetches served: direct ${directTotal.gitRequests}, pipeline ${pipelineTotal.gitRequests} ` +
          `for ${timedUrls.length} repositories`,
        `CPU time, direct:   ${formatCpu(directTotal.cpu)}`,
        `CPU time, pipeline: ${formatCpu(pipelineTotal.cpu)}`,
        '',
        'pipeline per stage (medians over repositories):',
        ...breakdown,
        '',
      ].join('\n'),
    );
  } finally {
    await distributed.close();
    await direct.close();
    await cluster.stop();
    await daemon.close();
    await repoRoot.remove();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
