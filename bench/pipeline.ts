/**
 * bench/pipeline (issue 9): real repositories (npm packages from node_modules, committed as git
 * repositories and served by `git daemon`) through the whole pipeline in two modes:
 *   - pipeline: two `repolens worker` processes on a 3-broker Kafka cluster and PostgreSQL,
 *     timed from publishing the discovery messages to every repository `analyzed` in the store;
 *   - direct: the same stage functions (clone, select, load RAG, analyse) called in one process
 *     without a bus or status messages, BENCH_DIRECT_CONCURRENCY (8) repositories at once, each
 *     through all its stages.
 * Both modes first run a few warm-up repositories (left out of every figure), then take turns
 * over BENCH_ROUNDS rounds (1) of BENCH_REPOS new repositories each (60), alternating which goes
 * first. The whole of that is done BENCH_RUNS times (4), each run with fresh schemas, workspaces,
 * topics and workers. Prints each round's times and ratio, each run's total ratio, and the ratio
 * of all runs together. Target: the pipeline spends at most 10 % more time than the direct calls.
 *
 *   npm run bench:pipeline     (KAFKA_BROKERS to reuse a cluster; BENCH_WORKSPACE=separate to give
 *                               each worker its own workspace, as on separate machines;
 *                               BENCH_WORKER_CONCURRENCY, BENCH_DIRECT_CONCURRENCY and the sizes
 *                               below: README.md)
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
import { TASK_HANDLERS_PER_SLOT } from '../src/runtime/pipeline.js';
import { createRepoRoot, startGitDaemon, type GitDaemon } from '../test/support/git-server.js';
import { addCpu, cpuDelta, cpuSnapshot, formatCpu, type CpuKind } from './support/cpu.js';
import { benchCluster } from './support/kafka.js';
import { startDirectProcess } from './support/pipeline-direct.js';
import { openDistributedRunner } from './support/pipeline-distributed.js';
import { StageBreakdown } from './support/stage-breakdown.js';
import { median } from './support/stats.js';

// One batch of 60 per run: enough work to keep both modes busy (17-21 s on a 2-core machine),
// which measures throughput. Rounds of 20 lasted 3.4-10 s there, and their time was largely
// the slowest repository's path through the four stages, which the pipeline lengthens by three
// hand-offs and by running twice as many stages at once (1.12-1.13 against 1.04-1.09 with batches
// of 60; README).
const REPOS = Number(process.env['BENCH_REPOS'] ?? 60);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
// Whole runs, each with fresh stores and workers: this machine's speed drifts by more than the
// difference measured, and one run's ratio moves by as much as 0.1 from one run to the next.
// An even number, so that each mode goes first in half of them.
const RUNS = Number(process.env['BENCH_RUNS'] ?? 4);
// Repositories run through each mode before the timed ones: long-running brokers and workers
// have compiled their hot code; JVMs and Node processes just started have not.
const WARMUP_REPOS = Number(process.env['BENCH_WARMUP_REPOS'] ?? 20);
const SHARED_WORKSPACE = process.env['BENCH_WORKSPACE'] !== 'separate';
// The workers' `consumerConcurrency` (default: the product's, 8): a worker starts a new
// repository only while fewer stages than that run in it.
const CONCURRENCY_PER_WORKER = Number(process.env['BENCH_WORKER_CONCURRENCY'] ?? 8);
if (!Number.isInteger(CONCURRENCY_PER_WORKER) || CONCURRENCY_PER_WORKER < 1)
  throw new Error(
    `BENCH_WORKER_CONCURRENCY must be a positive integer, got ${process.env['BENCH_WORKER_CONCURRENCY']}`,
  );
const WORKERS = 2;
// Repositories the direct mode runs at once, each through all its stages.
const DIRECT_CONCURRENCY = Number(process.env['BENCH_DIRECT_CONCURRENCY'] ?? 8);
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

interface ModeResult {
  readonly ms: number;
  readonly cpu: Map<CpuKind, number>;
  /** Clones and fetches the git server served (upload-pack requests). */
  readonly gitRequests: number;
  /** Requests the workers sent to the brokers, by API (the pipeline only). */
  readonly kafkaRequests: ReadonlyMap<string, number>;
}

/**
 * Times `run` and takes the CPU and git figures around it. `run` may resolve with when its work
 * really ended (epoch ms, from a record of its own), which then ends the time instead of when
 * the bench noticed.
 */
async function measure(
  daemon: GitDaemon,
  processes: ReadonlyMap<number, CpuKind>,
  run: () => Promise<number | void>,
): Promise<ModeResult> {
  const cpuBefore = cpuSnapshot(processes);
  const requestsBefore = daemon.uploadPacks();
  const startedAtMs = Date.now();
  const started = performance.now();
  const endedAtMs = await run();
  const ms = endedAtMs === undefined ? performance.now() - started : endedAtMs - startedAtMs;
  // Let the daemon's last log lines arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    ms,
    cpu: cpuDelta(cpuBefore, cpuSnapshot(processes)),
    gitRequests: daemon.uploadPacks() - requestsBefore,
    kafkaRequests: new Map(),
  };
}

interface RoundResult {
  readonly direct: ModeResult;
  readonly pipeline: ModeResult;
}

interface Setup {
  readonly daemon: GitDaemon;
  readonly brokers: readonly string[];
  readonly urlOf: (pkg: { name: string }) => string;
  readonly warmupPackages: readonly { name: string }[];
  readonly roundPackages: readonly (readonly { name: string }[])[];
  readonly breakdown: StageBreakdown;
}

/**
 * One run: fresh schemas, workspaces, topics and worker processes, so that no cache of an
 * earlier run helps; warm-up, then the rounds, the modes taking turns to go first.
 */
async function measureRun(run: number, setup: Setup): Promise<RoundResult[]> {
  const { daemon, urlOf, breakdown } = setup;
  const scratch = await mkdtemp(join(tmpdir(), 'repolens-bench-pipeline-'));
  const direct = await startDirectProcess(scratch, DIRECT_CONCURRENCY);
  const distributed = await openDistributedRunner({
    brokers: setup.brokers,
    scratch,
    workers: WORKERS,
    concurrencyPerWorker: CONCURRENCY_PER_WORKER,
    sharedWorkspace: SHARED_WORKSPACE,
  });
  try {
    const warmupUrls = setup.warmupPackages.map(urlOf);
    await direct.run(warmupUrls, []);
    await distributed.run(warmupUrls);
    log(`run ${run}: warmed up`);
    const directProcess = new Map<number, CpuKind>([[direct.pid, 'direct process']]);
    const workerProcesses = new Map<number, CpuKind>([...distributed.workerPids].map((pid) => [pid, 'workers']));
    const rounds: RoundResult[] = [];
    for (const [r, round] of setup.roundPackages.entries()) {
      const urls = round.map(urlOf);
      const runDirect = async (): Promise<ModeResult> => {
        distributed.pause();
        try {
          return await measure(daemon, directProcess, () => direct.run(urls, breakdown.directWork));
        } finally {
          distributed.resume();
        }
      };
      const runPipeline = async (): Promise<ModeResult> => {
        // Read outside the timed part: a scrape is a little work for each worker.
        const before = await distributed.kafkaRequests();
        const result = await measure(daemon, workerProcesses, () => distributed.run(urls));
        const after = await distributed.kafkaRequests();
        const kafkaRequests = new Map([...after].map(([api, n]) => [api, n - (before.get(api) ?? 0)]));
        return { ...result, kafkaRequests };
      };
      // Alternate which mode goes first, so a drift in the machine's load hits both alike.
      let result: RoundResult;
      if ((run + r) % 2 === 1) {
        const d = await runDirect();
        result = { direct: d, pipeline: await runPipeline() };
      } else {
        const p = await runPipeline();
        result = { direct: await runDirect(), pipeline: p };
      }
      rounds.push(result);
      log(
        `run ${run} round ${r + 1}: direct ${Math.round(result.direct.ms)} ms, ` +
          `pipeline ${Math.round(result.pipeline.ms)} ms, ratio ${(result.pipeline.ms / result.direct.ms).toFixed(2)}`,
      );
    }
    const timedUrls = setup.roundPackages.flat().map(urlOf);
    await breakdown.addPipeline(distributed.schema.pool(), timedUrls, distributed.publishedAtMs);
    return rounds;
  } finally {
    await distributed.close();
    await direct.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function total(rounds: readonly RoundResult[], mode: 'direct' | 'pipeline'): ModeResult {
  const cpu = new Map<CpuKind, number>();
  for (const round of rounds) addCpu(cpu, round[mode].cpu);
  const kafkaRequests = new Map<string, number>();
  for (const round of rounds)
    for (const [api, n] of round[mode].kafkaRequests) kafkaRequests.set(api, (kafkaRequests.get(api) ?? 0) + n);
  return {
    ms: rounds.reduce((sum, round) => sum + round[mode].ms, 0),
    cpu,
    gitRequests: rounds.reduce((sum, round) => sum + round[mode].gitRequests, 0),
    kafkaRequests,
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The workers' requests to the brokers per repository, the most frequent APIs first. */
function perRepository(requests: ReadonlyMap<string, number>, repositories: number): string {
  const all = [...requests.values()].reduce((sum, n) => sum + n, 0);
  const apis = [...requests].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const each = (n: number): string => (n / repositories).toFixed(1);
  return `${each(all)} (${apis.map(([api, n]) => `${api} ${each(n)}`).join(', ')})`;
}

function runTable(run: number, rounds: readonly RoundResult[]): string[] {
  const ratio = total(rounds, 'pipeline').ms / total(rounds, 'direct').ms;
  return [
    `run ${run}   direct   pipeline  ratio`,
    ...rounds.map(
      (round, r) =>
        `round ${String(r + 1).padEnd(2)}${seconds(round.direct.ms).padEnd(9)}${seconds(round.pipeline.ms).padEnd(10)}` +
        `${(round.pipeline.ms / round.direct.ms).toFixed(2)}`,
    ),
    `total    ${seconds(total(rounds, 'direct').ms).padEnd(9)}${seconds(total(rounds, 'pipeline').ms).padEnd(10)}${ratio.toFixed(2)}`,
  ];
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
  const cluster = await benchCluster(log);
  const setup: Setup = {
    daemon,
    brokers: cluster.brokers,
    urlOf: (pkg) => daemon.url(pkg.name).replace(/\.git$/, ''),
    warmupPackages,
    roundPackages,
    breakdown: new StageBreakdown(),
  };
  try {
    const runs: RoundResult[][] = [];
    for (let run = 1; run <= RUNS; run++) runs.push(await measureRun(run, setup));
    const rounds = runs.flat();
    const directTotal = total(rounds, 'direct');
    const pipelineTotal = total(rounds, 'pipeline');
    const runRatios = runs.map((run) => total(run, 'pipeline').ms / total(run, 'direct').ms);
    const roundRatios = rounds.map((round) => round.pipeline.ms / round.direct.ms);
    const files = roundPackages.flat().reduce((n, p) => n + Object.keys(p.files).length, 0);
    process.stdout.write(
      [
        '',
        `${RUNS} run(s) of ${ROUNDS} rounds of ${REPOS} repositories (npm packages, ${files} files in all), ` +
          `each run after ${WARMUP_REPOS} to warm up each mode, with fresh schemas, workspaces, topics and workers`,
        `direct: one process (fresh each run), ${DIRECT_CONCURRENCY} at once, no bus`,
        `pipeline: ${WORKERS} workers on Kafka + PostgreSQL, each starting new repositories while fewer than ` +
          `${CONCURRENCY_PER_WORKER} stages run (${TASK_HANDLERS_PER_SLOT * CONCURRENCY_PER_WORKER} task handlers), ` +
          `${SHARED_WORKSPACE ? 'one shared workspace (as on one machine)' : 'a workspace each (as on separate machines)'}`,
        `cluster: ${cluster.foreign.topics} other topics (${cluster.foreign.partitions} partitions) at the start` +
          (cluster.foreign.topics > 0 ? ' (not comparable with a clean cluster)' : ''),
        '',
        ...runs.flatMap((run, i) => [...runTable(i + 1, run), '']),
        `ratio pipeline/direct (target <= 1.10): all runs ${seconds(pipelineTotal.ms)} / ${seconds(directTotal.ms)} = ` +
          `${(pipelineTotal.ms / directTotal.ms).toFixed(2)}; per run ${runRatios.map((r) => r.toFixed(2)).join(', ')}; ` +
          `median of ${roundRatios.length} rounds ${median(roundRatios).toFixed(2)}`,
        '',
        `git clones and fetches served: direct ${directTotal.gitRequests}, pipeline ${pipelineTotal.gitRequests} ` +
          `for ${RUNS * ROUNDS * REPOS} repositories`,
        `CPU time, direct:   ${formatCpu(directTotal.cpu)}`,
        `CPU time, pipeline: ${formatCpu(pipelineTotal.cpu)}`,
        `Kafka requests per repository, both workers: ${perRepository(pipelineTotal.kafkaRequests, RUNS * ROUNDS * REPOS)}`,
        '',
        'pipeline per stage (medians over repositories, hand-offs also their tail):',
        ...setup.breakdown.lines(),
        '',
      ].join('\n'),
    );
  } finally {
    await cluster.stop();
    await daemon.close();
    await repoRoot.remove();
  }
}

await main();
