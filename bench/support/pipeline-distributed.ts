/**
 * The distributed side of bench:pipeline: `repolens worker` processes on Kafka and PostgreSQL,
 * fed by discovery messages, done when the Database Service has every repository `analyzed`.
 */
import { join } from 'node:path';
import { createKafkaBus } from '../../src/adapters/bus-kafka/index.js';
import { createNamespace, namespacedBus } from '../../src/runtime/namespace.js';
import { discoveryRecord } from '../../test/support/discovery.js';
import { createTestSchema, type TestSchema } from '../../test/support/postgres.js';
import { deleteTopicsWithPrefix } from '../../test/support/topic-cleanup.js';
import { startWorker } from '../../test/support/worker-process.js';

/**
 * How often the bench asks the store whether a round is done. The round's end is read from the
 * store (when the Database Service wrote the last `analyzed`), not from when the poll saw it, so
 * polling rarely costs no accuracy; polling every 50 ms took 2 s of CPU per run in this process
 * and more in PostgreSQL, all of it counted against the pipeline.
 */
const POLL_EVERY_MS = 500;
/**
 * While paused, the workers run KEEP_ALIVE_RUN_MS every KEEP_ALIVE_EVERY_MS (heartbeats are due
 * every 3 s, every 10 s in retry tiers: either way one falls in a keep-alive well within the 30 s
 * session).
 */
const KEEP_ALIVE_EVERY_MS = 5_000;
const KEEP_ALIVE_RUN_MS = 250;

export interface DistributedOptions {
  readonly brokers: readonly string[];
  readonly scratch: string;
  readonly workers: number;
  readonly concurrencyPerWorker: number;
  /** One workspace for all workers (as on one machine), or one each (as on separate machines). */
  readonly sharedWorkspace: boolean;
}

export interface DistributedRunner {
  /**
   * Publishes discovery for `urls`, waits until each is `analyzed` (throws if one fails) and
   * resolves with when the store recorded the last of them (epoch ms).
   */
  run(urls: readonly string[]): Promise<number>;
  readonly workerPids: ReadonlySet<number>;
  /** When each repository's discovery message was published (epoch ms). */
  readonly publishedAtMs: ReadonlyMap<string, number>;
  readonly schema: TestSchema;
  /** Requests the workers have sent to the brokers so far, by API (their metric, summed). */
  kafkaRequests(): Promise<Map<string, number>>;
  /**
   * Stops the workers (SIGSTOP) while the direct mode runs, so their idle polling takes no CPU
   * from it; `resume` continues them (SIGCONT). Every few seconds of a pause they run for a
   * moment, long enough to heartbeat: a direct round can outlast the session timeout (30 s),
   * and a worker the coordinator dropped meanwhile would rejoin every group at the start of the
   * next pipeline round, which would then time rebalances the bench caused.
   */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function openDistributedRunner(options: DistributedOptions): Promise<DistributedRunner> {
  const schema = await createTestSchema('bench_pipeline');
  const prefix = `bench-${Date.now().toString(36)}.`;
  const workerEnv = (i: number): NodeJS.ProcessEnv => ({
    REPOLENS_BROKERS: options.brokers.join(','),
    REPOLENS_TOPIC_PREFIX: prefix,
    DATABASE_URL: schema.url,
    REPOLENS_WORKSPACE: join(options.scratch, options.sharedWorkspace ? 'workspace' : `workspace-${i}`),
    REPOLENS_DATA_DIR: join(options.scratch, `data-${i}`),
    REPOLENS_GIT_PROTOCOLS: 'git',
    REPOLENS_CONSUMER_CONCURRENCY: String(options.concurrencyPerWorker),
    REPOLENS_LOG_LEVEL: 'warn',
    // Any free port; the worker says which on stderr.
    REPOLENS_METRICS_PORT: '0',
  });
  // The first worker creates the topics; the others join once they exist.
  const workers = [startWorker([], workerEnv(0))];
  await workers[0]?.ready;
  for (let i = 1; i < options.workers; i++) workers.push(startWorker([], workerEnv(i)));
  await Promise.all(workers.map((worker) => worker.ready));
  const bus = namespacedBus(
    createKafkaBus({ brokers: [...options.brokers], clientId: 'bench-pipeline' }),
    createNamespace(prefix),
  );
  const pool = schema.pool();
  const signalWorkers = (signal: NodeJS.Signals): void => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill(signal);
  };
  let keepAlive: NodeJS.Timeout | undefined;
  const pause = (): void => {
    signalWorkers('SIGSTOP');
    keepAlive ??= setInterval(() => {
      signalWorkers('SIGCONT');
      setTimeout(() => {
        if (keepAlive !== undefined) signalWorkers('SIGSTOP');
      }, KEEP_ALIVE_RUN_MS);
    }, KEEP_ALIVE_EVERY_MS);
  };
  const resume = (): void => {
    clearInterval(keepAlive);
    keepAlive = undefined;
    signalWorkers('SIGCONT');
  };

  const metricsUrls = workers.map((worker) => {
    const port = /metrics on http:\/\/[^:]+:(\d+)\/metrics/.exec(worker.stderr())?.[1];
    if (port === undefined) throw new Error(`a worker did not say its metrics port:\n${worker.stderr()}`);
    return `http://127.0.0.1:${port}/metrics`;
  });
  const kafkaRequests = async (): Promise<Map<string, number>> => {
    const sums = new Map<string, number>();
    for (const url of metricsUrls) {
      const text = await (await fetch(url)).text();
      for (const [, api, value] of text.matchAll(/^repolens_kafka_requests_total\{api="([^"]+)"\} (\d+)$/gm))
        sums.set(api as string, (sums.get(api as string) ?? 0) + Number(value));
    }
    return sums;
  };

  const publishedAtMs = new Map<string, number>();
  const run = async (urls: readonly string[]): Promise<number> => {
    for (const url of urls) publishedAtMs.set(url, Date.now());
    await bus.produce(urls.map((url) => discoveryRecord(url)));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
      // The end is each repository's first applied `analyzed` row (a redelivery may add
      // another), as the Database Service's transaction time, turned into how long ago that was
      // on the database's clock so that only durations cross from one clock to the other.
      const { rows } = await pool
        .query<{ done: number; failed: number; ago_ms: number | null }>(
          `SELECT count(*) FILTER (WHERE s.status = 'analyzed' AND s.progress = 100 AND NOT s.failed)::int AS done,
                  count(*) FILTER (WHERE s.failed)::int AS failed,
                  (SELECT extract(epoch FROM clock_timestamp() - max(f.first_at)) * 1000
                     FROM (SELECT min(h.received_at) AS first_at FROM repository_status_history h
                            WHERE h.repository_url = ANY($1) AND h.status = 'analyzed' AND h.progress = 100
                              AND h.applied
                            GROUP BY h.repository_url) f)::float8 AS ago_ms
             FROM repository_status s WHERE s.repository_url = ANY($1)`,
          [urls],
        )
        .catch(() => ({ rows: [{ done: 0, failed: 0, ago_ms: null }] }));
      const row = rows[0] ?? { done: 0, failed: 0, ago_ms: null };
      if (row.failed > 0) throw new Error(`${row.failed} repositories failed in the pipeline`);
      if (row.done === urls.length && row.ago_ms !== null) return Date.now() - row.ago_ms;
    }
  };

  return {
    run,
    schema,
    kafkaRequests,
    publishedAtMs,
    workerPids: new Set(workers.flatMap((worker) => (worker.child.pid === undefined ? [] : [worker.child.pid]))),
    pause,
    resume,
    close: async () => {
      resume();
      await bus.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      await schema.drop();
      // A reused cluster keeps no topics of this run: hundreds of idle replicated partitions
      // would make the next run's brokers slower.
      await deleteTopicsWithPrefix(options.brokers, prefix);
    },
  };
}
