/**
 * bench/bus: 100,000 task-sized messages through the 3-node cluster with acks=all, by repolens'
 * Kafka bus and by kcat (librdkafka) in the same run, in two phases per client:
 *  1. throughput: produce all messages with nobody consuming (produce msg/s), then read them all
 *     back (consume msg/s). Kept apart because on 2 cores a concurrent consumer steals the
 *     producer's CPU, and it does so differently for a one-process Node client and two kcats.
 *  2. latency: a consumer running while messages are produced at a steady 10,000/s; end-to-end
 *     latency is the consumer's receive time minus the record's create time.
 *
 *   npm run bench:bus                      # starts a private cluster
 *   KAFKA_BROKERS=... npm run bench:bus    # or uses yours
 *   BENCH_MESSAGES=20000 npm run bench:bus # fewer messages
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { createKafkaBus, createKafkaBusAdmin } from '../src/adapters/bus-kafka/index.js';
import { encodeMessage, Topics, type TaskMessage } from '../src/contracts/index.js';
import type { BusAdmin } from '../src/ports/bus-admin.js';
import type { OutgoingMessage } from '../src/ports/message-bus.js';
import { benchCluster } from './support/kafka.js';
import { formatRate, summarize } from './support/stats.js';

const TOTAL = Number(process.env['BENCH_MESSAGES'] ?? 100_000);
const LATENCY_MESSAGES = Math.min(TOTAL, 20_000);
const PACE_BATCH = 100;
const PACE_INTERVAL_MS = 10;
const PRODUCE_CALL = 1_000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const REPOSITORIES = 1_000;
const log = (message: string): void => void process.stderr.write(`[bench:bus] ${message}\n`);

interface Result {
  readonly name: string;
  readonly produceMs: number;
  readonly consumeMs: number;
  readonly latencies: number[];
}

function taskValue(i: number): { key: string; value: Buffer } {
  const key = `https://github.com/bench-org/repository-${i % REPOSITORIES}`;
  const task: TaskMessage = {
    task_id: randomUUID(),
    repository_url: key,
    task_type: 'select_files',
    created_at: new Date().toISOString(),
    status: 'completed',
    metadata: { priority: 3, retry_count: 0 },
  };
  return { key, value: encodeMessage(Topics.tasks, task) };
}

function ensureKcat(): void {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore' });
  } catch {
    log('kcat not found; installing the Debian package');
    execFileSync('apt-get', ['install', '-y', '-qq', 'kcat'], { stdio: 'inherit' });
  }
}

async function createTopic(admin: BusAdmin, name: string): Promise<string> {
  const replicationFactor = Math.min(3, await admin.brokerCount());
  const config = { 'min.insync.replicas': String(Math.min(2, replicationFactor)) };
  await admin.createTopics([{ name, partitions: 5, replicationFactor, config }]);
  return name;
}

/** Consumes `count` messages in a new group; resolves with the time of the last one. */
async function repolensConsume(brokers: string[], topic: string, count: number, latencies?: number[]) {
  const bus = createKafkaBus({ brokers, clientId: `bench-consumer-${randomUUID().slice(0, 8)}` });
  let consumed = 0;
  let lastAt = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const subscription = await bus.subscribe({
    groupId: `bench-group-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    concurrency: 64,
    handler: async (message) => {
      lastAt = Date.now();
      latencies?.push(lastAt - message.timestamp);
      if (++consumed === count) resolveAll();
    },
  });
  return {
    done: all.then(() => lastAt),
    close: async () => {
      await subscription.close();
      await bus.close();
    },
  };
}

/** Produces every message into a new topic; returns the topic and the milliseconds it took. */
async function repolensProduce(
  brokers: string[],
  admin: BusAdmin,
  name: string,
): Promise<{ topic: string; ms: number }> {
  const bus = createKafkaBus({ brokers, clientId: `bench-${name}` });
  const topic = await createTopic(admin, name);
  // Messages are built (validated and encoded) before the clock starts, as kcat's input is.
  const batches: OutgoingMessage[][] = [];
  for (let start = 0; start < TOTAL; start += PRODUCE_CALL) {
    const batch: OutgoingMessage[] = [];
    for (let i = start; i < Math.min(TOTAL, start + PRODUCE_CALL); i++) batch.push({ topic, ...taskValue(i) });
    batches.push(batch);
  }
  const started = Date.now();
  await Promise.all(batches.map((batch) => bus.produce(batch)));
  const ms = Date.now() - started;
  await bus.close();
  return { topic, ms };
}

async function runRepolens(
  brokers: string[],
  admin: BusAdmin,
  suffix: string,
  produceMs: number,
  topic: string,
): Promise<Result> {
  const bus = createKafkaBus({ brokers, clientId: `bench-${suffix}` });

  const consumeStarted = Date.now();
  const reader = await repolensConsume(brokers, topic, TOTAL);
  const consumeMs = (await reader.done) - consumeStarted;
  await reader.close();

  const latencyTopic = await createTopic(admin, `bench-bus-repolens-latency-${suffix}`);
  const latencies: number[] = [];
  const live = await repolensConsume(brokers, latencyTopic, LATENCY_MESSAGES, latencies);
  await delay(2_000); // let the member own its partitions before the clock matters
  for (let start = 0; start < LATENCY_MESSAGES; start += PACE_BATCH) {
    const batch = Array.from({ length: PACE_BATCH }, (_, i) => ({ topic: latencyTopic, ...taskValue(start + i) }));
    void bus.produce(batch);
    await delay(PACE_INTERVAL_MS);
  }
  await live.done;
  await live.close();
  await bus.close();
  return { name: 'repolens bus', produceMs, consumeMs, latencies };
}

function kcat(args: string[], stdio: 'read' | 'write') {
  const child = spawn('kcat', args, {
    stdio: stdio === 'read' ? ['ignore', 'pipe', 'inherit'] : ['pipe', 'ignore', 'inherit'],
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat ${args[0]} exited with ${code}`))));
  });
  return { child, done };
}

const kcatCommon = (brokers: string[], topic: string): string[] => ['-b', brokers.join(','), '-t', topic, '-q'];
const kcatProducerArgs = (brokers: string[], topic: string): string[] => [
  '-P',
  ...kcatCommon(brokers, topic),
  '-K',
  '\t',
  '-X',
  'acks=all',
  '-X',
  'enable.idempotence=true',
];
const kcatLine = (i: number): string => {
  const { key, value } = taskValue(i);
  return `${key}\t${value.toString('utf8')}\n`;
};

async function kcatProduce(brokers: string[], admin: BusAdmin, name: string): Promise<{ topic: string; ms: number }> {
  const topic = await createTopic(admin, name);
  const input = Array.from({ length: TOTAL }, (_, i) => kcatLine(i)).join('');
  const started = Date.now();
  const producer = kcat(kcatProducerArgs(brokers, topic), 'write');
  producer.child.stdin?.end(input);
  await producer.done;
  return { topic, ms: Date.now() - started };
}

async function runKcat(
  brokers: string[],
  admin: BusAdmin,
  suffix: string,
  produceMs: number,
  topic: string,
): Promise<Result> {
  const common = (name: string): string[] => kcatCommon(brokers, name);
  const producerArgs = (name: string): string[] => kcatProducerArgs(brokers, name);
  const line = kcatLine;

  const consumeStarted = Date.now();
  const reader = kcat(['-C', ...common(topic), '-o', 'beginning', '-c', String(TOTAL), '-f', '.'], 'read');
  reader.child.stdout?.resume();
  await reader.done;
  const consumeMs = Date.now() - consumeStarted;

  const latencyTopic = await createTopic(admin, `bench-bus-kcat-latency-${suffix}`);
  const latencies: number[] = [];
  const live = kcat(
    ['-C', ...common(latencyTopic), '-o', 'beginning', '-c', String(LATENCY_MESSAGES), '-f', '%T\\n'],
    'read',
  );
  createInterface({ input: live.child.stdout as NodeJS.ReadableStream }).on('line', (text) =>
    latencies.push(Date.now() - Number(text)),
  );
  await delay(2_000);
  const paced = kcat(producerArgs(latencyTopic), 'write');
  for (let start = 0; start < LATENCY_MESSAGES; start += PACE_BATCH) {
    let chunk = '';
    for (let i = start; i < start + PACE_BATCH; i++) chunk += line(i);
    paced.child.stdin?.write(chunk);
    await delay(PACE_INTERVAL_MS);
  }
  paced.child.stdin?.end();
  await Promise.all([paced.done, live.done]);
  return { name: 'kcat (librdkafka)', produceMs, consumeMs, latencies };
}

function row(result: Result): string {
  const latency = summarize(result.latencies);
  return [
    result.name.padEnd(20),
    formatRate(TOTAL, result.produceMs).padStart(12),
    formatRate(TOTAL, result.consumeMs).padStart(12),
    `${latency.p50} ms`.padStart(9),
    `${latency.p99} ms`.padStart(9),
  ].join('  ');
}

async function main(): Promise<void> {
  ensureKcat();
  const cluster = await benchCluster(log);
  const admin = createKafkaBusAdmin({ brokers: cluster.brokers, clientId: 'bench-admin' });
  try {
    const suffix = randomUUID().slice(0, 8);
    log(
      `${TOTAL} task messages, 5 partitions, replication ${Math.min(3, await admin.brokerCount())}, acks=all, idempotent producers`,
    );
    const encodeStarted = performance.now();
    for (let i = 0; i < TOTAL; i++) taskValue(i);
    const encodeMs = performance.now() - encodeStarted;
    // Produce throughput is noisy on a 2-core machine running three brokers: alternate the two
    // clients over several rounds and compare medians.
    const kcatRounds: { topic: string; ms: number }[] = [];
    const repolensRounds: { topic: string; ms: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      kcatRounds.push(await kcatProduce(cluster.brokers, admin, `bench-bus-kcat-${suffix}-${round}`));
      repolensRounds.push(await repolensProduce(cluster.brokers, admin, `bench-bus-repolens-${suffix}-${round}`));
      log(
        `round ${round + 1}/${ROUNDS}: kcat ${formatRate(TOTAL, kcatRounds.at(-1)?.ms ?? 0)}, repolens ${formatRate(TOTAL, repolensRounds.at(-1)?.ms ?? 0)}`,
      );
    }
    const median = (rounds: { topic: string; ms: number }[]) =>
      [...rounds].sort((a, b) => a.ms - b.ms)[Math.floor(rounds.length / 2)] as { topic: string; ms: number };
    const kcatMedian = median(kcatRounds);
    const repolensMedian = median(repolensRounds);
    const kcatResult = await runKcat(cluster.brokers, admin, suffix, kcatMedian.ms, kcatMedian.topic);
    const repolens = await runRepolens(cluster.brokers, admin, suffix, repolensMedian.ms, repolensMedian.topic);

    const out = (text: string): void => void process.stdout.write(`${text}\n`);
    out(`\nbench/bus: ${TOTAL} messages of ~${taskValue(0).value.length} B, 5 partitions, 3 brokers, acks=all`);
    out(
      `${'client'.padEnd(20)}  ${'produce'.padStart(12)}  ${'consume'.padStart(12)}  ${'e2e p50'.padStart(9)}  ${'e2e p99'.padStart(9)}`,
    );
    out(row(repolens));
    out(row(kcatResult));
    const rates = (rounds: { ms: number }[]): string => rounds.map((r) => formatRate(TOTAL, r.ms)).join(', ');
    out(
      `produce is the median of ${ROUNDS} alternating rounds: kcat ${rates(kcatRounds)}; repolens ${rates(repolensRounds)}`,
    );
    out(
      `produce throughput ratio repolens/kcat: ${(kcatResult.produceMs / repolens.produceMs).toFixed(2)} (target >= 0.50)`,
    );
    out(`consume throughput ratio repolens/kcat: ${(kcatResult.consumeMs / repolens.consumeMs).toFixed(2)}`);
    out(`e2e latency measured over ${LATENCY_MESSAGES} messages produced at 10,000/s while consuming.`);
    out(`building messages (schema validation + JSON encoding, outside the timings): ${formatRate(TOTAL, encodeMs)}`);
    out('repolens consumes in a consumer group and commits after each handler; kcat -C reads without a group.');
  } finally {
    await admin.close();
    await cluster.stop();
  }
}

await main();
