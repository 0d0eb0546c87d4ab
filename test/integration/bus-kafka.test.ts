/**
 * The Kafka bus adapter beyond the shared contract: rebalances while messages flow, redelivery
 * after a member is closed with a hung handler, backpressure, partitions added under a running
 * subscription, the BusAdmin operations, and how failures surface (error codes, not text).
 */
import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createKafkaBus,
  createKafkaBusAdmin,
  type BusLogger,
  type KafkaBusOptions,
  watchKafkaRequests,
} from '../../src/adapters/bus-kafka/index.js';
import { ErrorCodes, RepolensError } from '../../src/domain/errors.js';
import { readLag } from '../../src/monitoring/consumer-lag.js';
import { partitionForKey } from '../../src/domain/partitioner.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus, MessageHandler, ReceivedMessage, Subscription } from '../../src/ports/message-bus.js';
import { createTestAdmin, kafkaBrokers, uniqueName } from '../support/kafka.js';
import { eventually, gate } from '../support/wait.js';

const replication = Math.min(3, Number(process.env['KAFKA_NODES'] || 3));

const buses: MessageBus[] = [];
const admins: BusAdmin[] = [];
const subscriptions: Subscription[] = [];
const topics: string[] = [];

function bus(overrides: Partial<KafkaBusOptions> = {}): MessageBus {
  const created = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueName('it-bus'),
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    rebalanceTimeoutMs: 10_000,
    ...overrides,
  });
  buses.push(created);
  return created;
}

function admin(): BusAdmin {
  const created = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('it-admin') });
  admins.push(created);
  return created;
}

async function topic(partitions = 5, config: Record<string, string> = {}): Promise<string> {
  const name = uniqueName('it-topic');
  topics.push(name);
  await admin().createTopics([{ name, partitions, replicationFactor: replication, config }]);
  return name;
}

/** The leader broker of each partition of `name`. */
async function partitionLeaders(name: string): Promise<number[]> {
  const metadataAdmin = createTestAdmin();
  try {
    const metadata = await metadataAdmin.metadata({ topics: [name] });
    return metadata.topics.get(name)?.partitions.map((partition) => partition.leader) ?? [];
  } finally {
    await metadataAdmin.close();
  }
}

/** A key that `partitionForKey` puts on `partition` of `count`. */
function keyForPartition(partition: number, count: number): string {
  for (let i = 0; ; i++) if (partitionForKey(Buffer.from(`k${i}`), count) === partition) return `k${i}`;
}

/** Counts the requests the Kafka library sends while `run` runs, per API name. */
async function countRequests(run: () => Promise<void>): Promise<Map<string, number>> {
  const requests = new Map<string, number>();
  const stop = watchKafkaRequests((api) => requests.set(api, (requests.get(api) ?? 0) + 1));
  try {
    await run();
  } finally {
    stop();
  }
  return requests;
}

async function countProduceRequests(run: () => Promise<void>): Promise<number> {
  return (await countRequests(run)).get('Produce') ?? 0;
}

async function subscribe(
  target: MessageBus,
  groupId: string,
  topicNames: string[],
  handler: MessageHandler,
  concurrency?: number,
) {
  const subscription = await target.subscribe({ groupId, topics: topicNames, handler, concurrency });
  subscriptions.push(subscription);
  subscription.done.catch(() => undefined);
  return subscription;
}

function text(message: ReceivedMessage): string {
  return message.value.toString('utf8');
}

function owned(subscription: Subscription, name: string): number[] {
  return [...(subscription.assignments().get(name) ?? [])];
}

afterEach(async () => {
  await Promise.allSettled(subscriptions.splice(0).map((s) => s.close({ graceMs: 0 })));
  await Promise.allSettled(buses.splice(0).map((b) => b.close()));
  await Promise.allSettled(admins.splice(0).map((a) => a.close()));
  if (topics.length > 0) {
    const cleanup = createTestAdmin();
    try {
      await cleanup.deleteTopics({ topics: topics.splice(0) });
    } finally {
      await cleanup.close();
    }
  }
});

describe('bus-kafka: producing and consuming', () => {
  it('resolves produce calls made one after another and many at once (coalesced sends)', async () => {
    const name = await topic(3);
    const producer = bus();
    // Regression: a call made as the previous send's drain was ending used to wait forever.
    for (let i = 0; i < 5; i++) await producer.produce([{ topic: name, key: `k${i}`, value: Buffer.from(String(i)) }]);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        producer.produce([{ topic: name, key: `c${i}`, value: Buffer.from(String(i)) }]),
      ),
    );
    await producer.produce([{ topic: name, key: 'last', value: Buffer.from('last') }]);
    const ends = await admin().endOffsets(name);
    expect([...ends.values()].reduce((sum, n) => sum + n, 0n)).toBe(306n);
  });

  it('round-trips string, Buffer and null keys; null keys spread round-robin over the partitions', async () => {
    const name = await topic(3);
    const received: ReceivedMessage[] = [];
    const producer = bus();
    await subscribe(producer, uniqueName('g'), [name], async (m) => void received.push(m));
    const binaryKey = Buffer.from([0, 255, 1, 254]);
    await producer.produce([
      { topic: name, key: 'string-key', value: Buffer.from('a'), headers: { 'x-one': '1', 'x-empty': '' } },
      { topic: name, key: binaryKey, value: Buffer.from('b') },
      ...[0, 1, 2].map((i) => ({ topic: name, key: null, value: Buffer.from(`n${i}`) })),
    ]);
    await eventually('all five messages', () => received.length === 5, 30_000);
    const byValue = new Map(received.map((m) => [text(m), m]));
    expect(byValue.get('a')?.headers).toEqual({ 'x-one': '1', 'x-empty': '' });
    expect(byValue.get('a')?.partition).toBe(partitionForKey('string-key', 3));
    expect(byValue.get('b')?.key?.equals(binaryKey)).toBe(true);
    expect(byValue.get('b')?.partition).toBe(partitionForKey(binaryKey, 3));
    expect(byValue.get('b')?.headers).toEqual({});
    const nullKeyed = ['n0', 'n1', 'n2'].map((v) => byValue.get(v));
    expect(nullKeyed.every((m) => m?.key === null)).toBe(true);
    expect(new Set(nullKeyed.map((m) => m?.partition)).size).toBe(3);
  });

  it('keeps per-key order and loses nothing while members join and leave mid-stream', async () => {
    const name = await topic(5);
    const groupId = uniqueName('g');
    const keys = Array.from({ length: 20 }, (_, k) => `repo-${k}`);
    const seen = new Map<string, number[]>();
    let deliveries = 0;
    const running = new Set<string>();
    let overlaps = 0;
    const handler: MessageHandler = async (m) => {
      const key = m.key?.toString('utf8') ?? '';
      if (running.has(key)) overlaps++;
      running.add(key);
      await delay(2);
      running.delete(key);
      deliveries++;
      seen.set(key, [...(seen.get(key) ?? []), Number(m.headers['x-seq'])]);
    };
    const first = await subscribe(bus(), groupId, [name], handler, 4);
    const producer = bus();
    const total = 2_000;
    const producing = (async () => {
      for (let batch = 0; batch < 20; batch++) {
        await producer.produce(
          Array.from({ length: total / 20 }, (_, j) => {
            const i = batch * (total / 20) + j;
            return {
              topic: name,
              key: keys[i % keys.length] as string,
              value: Buffer.from(`m${i}`),
              headers: { 'x-seq': String(i) },
            };
          }),
        );
        await delay(100);
      }
    })();
    await delay(500);
    const second = await subscribe(bus(), groupId, [name], handler, 4);
    await eventually(
      'both members to own partitions',
      () => owned(first, name).length > 0 && owned(second, name).length > 0,
      30_000,
    );
    await delay(500);
    await second.close({ graceMs: 5_000 });
    await producing;
    await eventually(
      'every message at least once',
      () => [...seen.values()].reduce((n, s) => n + new Set(s).size, 0) === total,
      60_000,
    );
    expect(overlaps).toBe(0);
    for (const [key, sequence] of seen) {
      // Redelivery repeats a suffix of what was uncommitted; first deliveries stay in order.
      const firsts = sequence.filter((value, index) => sequence.indexOf(value) === index);
      expect(firsts, key).toEqual([...firsts].sort((a, b) => a - b));
    }
    // Reported, not asserted: at-least-once allows some.
    console.info(`rebalance test: ${deliveries - total} redeliveries of ${total} messages`);
  });

  it('commits only after the handler finished, and the watermark stops at the first unfinished message', async () => {
    const name = await topic(1);
    const groupId = uniqueName('g');
    const held = gate();
    const finished: string[] = [];
    await subscribe(
      bus(),
      groupId,
      [name],
      async (m) => {
        if (text(m) === 'm1') await held.promise;
        finished.push(text(m));
      },
      4,
    );
    const producer = bus();
    // Distinct keys: m2, m3 may overtake the held m1 but must not be committed past it.
    await producer.produce(
      ['m0', 'm1', 'm2', 'm3'].map((v, i) => ({ topic: name, key: `k${i}`, value: Buffer.from(v) })),
    );
    await eventually('m0, m2, m3 to finish', () => finished.length === 3, 30_000);
    const a = admin();
    await eventually(
      'm0 to be committed',
      async () => (await a.committedOffsets(groupId, [name])).get(name)?.get(0) === 1n,
      10_000,
    );
    await delay(500);
    expect((await a.committedOffsets(groupId, [name])).get(name)?.get(0)).toBe(1n);
    held.open();
    await eventually(
      'everything committed',
      async () => (await a.committedOffsets(groupId, [name])).get(name)?.get(0) === 4n,
      10_000,
    );
  });

  it('commits completions together after commitIntervalMs, and at once when the subscription closes', async () => {
    const name = await topic(1);
    const groupId = uniqueName('g');
    const finished: string[] = [];
    const subscription = await subscribe(bus({ commitIntervalMs: 2_000 }), groupId, [name], async (m) => {
      finished.push(text(m));
    });
    const producer = bus();
    await producer.produce(['a', 'b', 'c'].map((v) => ({ topic: name, key: v, value: Buffer.from(v) })));
    await eventually('all three to finish', () => finished.length === 3, 30_000);
    const a = admin();
    const committed = async (): Promise<bigint | undefined> =>
      (await a.committedOffsets(groupId, [name])).get(name)?.get(0);
    // Finished, but inside the interval: not committed yet (a crash now would redeliver them).
    expect(await committed()).toBeUndefined();
    await eventually('the three to be committed in one go', async () => (await committed()) === 3n, 10_000);

    await producer.produce([{ topic: name, key: 'd', value: Buffer.from('d') }]);
    await eventually('d to finish', () => finished.length === 4, 30_000);
    // Closing does not wait out the interval: it commits what finished before leaving.
    await subscription.close();
    expect(await committed()).toBe(4n);
  });

  it('names every request the clients send by its API, and counts nothing once the watch stops', async () => {
    const name = await topic(1);
    const received: string[] = [];
    const requests = await countRequests(async () => {
      const subscription = await subscribe(bus({ commitIntervalMs: 0 }), uniqueName('g'), [name], async (m) => {
        received.push(text(m));
      });
      await bus().produce(['a', 'b'].map((v) => ({ topic: name, key: v, value: Buffer.from(v) })));
      await eventually('both messages handled', () => received.length === 2, 30_000);
      await subscription.close();
    });
    expect(requests.get('Produce')).toBeGreaterThanOrEqual(1);
    expect(requests.get('Fetch')).toBeGreaterThanOrEqual(1);
    expect(requests.get('JoinGroup')).toBeGreaterThanOrEqual(1);
    expect(requests.get('OffsetCommit')).toBeGreaterThanOrEqual(1);
    expect([...requests.keys()].filter((api) => api.startsWith('api-'))).toEqual([]);

    const before = new Map(requests);
    await bus().produce([{ topic: name, key: 'c', value: Buffer.from('c') }]);
    expect(requests).toEqual(before);
  });

  it('sends what waits for partitions one broker leads as one Produce request, one request per leader', async () => {
    const name = await topic(6);
    const leaders = await partitionLeaders(name);
    const keyFor = (partition: number): string => keyForPartition(partition, 6);
    const shared = leaders.findIndex((leader, p) => leaders.indexOf(leader) !== p);
    const sibling = leaders.indexOf(leaders[shared] ?? -1);
    const elsewhere = leaders.findIndex((leader) => leader !== leaders[shared]);
    expect(shared).toBeGreaterThan(-1); // six partitions, at most five brokers: two share a leader
    const message = (partition: number) => ({ topic: name, key: keyFor(partition), value: Buffer.from('x') });
    const producer = bus();
    await producer.produce([message(0)]); // connections and the producer id are set up

    expect(await countProduceRequests(() => producer.produce([message(shared), message(sibling)]))).toBe(1);
    if (elsewhere !== -1) {
      expect(await countProduceRequests(() => producer.produce([message(shared), message(elsewhere)]))).toBe(2);
    }
    const ends = await admin().endOffsets(name);
    expect(ends.get(sibling)).toBe(sibling === 0 ? 2n : 1n);
    expect(ends.get(shared)).toBe((shared === 0 ? 1n : 0n) + (elsewhere === -1 ? 1n : 2n));
  });

  it("a record the broker refuses fails only its own call, not another call's message sent in the same request", async () => {
    const name = await topic(6, { 'max.message.bytes': '2000' });
    const leaders = await partitionLeaders(name);
    const keyFor = (partition: number): string => keyForPartition(partition, 6);
    const shared = leaders.findIndex((leader, p) => leaders.indexOf(leader) !== p);
    const sibling = leaders.indexOf(leaders[shared] ?? -1);
    const message = (partition: number, bytes = 1) => ({
      topic: name,
      key: keyFor(partition),
      value: Buffer.alloc(bytes, 'x'),
    });
    const producer = bus();
    await producer.produce([message(shared), message(sibling)]);

    // While one send to the leader is in flight, the next two calls queue and go out together.
    const busy = producer.produce([message(shared)]);
    const small = producer.produce([message(sibling)]);
    const tooLarge = producer.produce([message(shared, 5_000)]).catch((error: unknown) => error);
    await expect(busy).resolves.toBeUndefined();
    await expect(small).resolves.toBeUndefined();
    expect(await tooLarge).toBeInstanceOf(RepolensError);
    // The small message was written once, although the request that carried it failed.
    const ends = await admin().endOffsets(name);
    expect(ends.get(sibling)).toBe(2n);
    expect(ends.get(shared)).toBe(2n);
  });

  it('under a steady stream of completions, still commits at most once per commitIntervalMs', async () => {
    const name = await topic(1);
    // The adapter logs each OffsetCommit it made ("committed") at debug level.
    let commits = 0;
    const counting: BusLogger = {
      debug: (_bindings, message) => {
        if (message === 'committed') commits += 1;
      },
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
      child: () => counting,
    };
    const count = 300;
    await bus().produce(
      Array.from({ length: count }, (_, i) => ({ topic: name, key: 'one-key', value: Buffer.from(String(i)) })),
    );
    let first = 0;
    let last = 0;
    let finished = 0;
    // One key: completions follow each other every couple of milliseconds, so one always
    // arrives while a commit is in flight. That must not start the next commit at once.
    await subscribe(bus({ commitIntervalMs: 300, logger: counting }), uniqueName('g'), [name], async () => {
      first ||= Date.now();
      await delay(2);
      finished += 1;
      last = Date.now();
    });
    await eventually('every message to finish', () => finished === count, 60_000);
    await delay(1_000);
    const intervals = Math.ceil((last - first) / 300);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(intervals + 2);
  });

  it('with a long pollWaitMs, still delivers at once (an arriving message ends the poll) and closes at once', async () => {
    const name = await topic(1);
    const received: number[] = [];
    const subscription = await bus().subscribe({
      groupId: uniqueName('g'),
      topics: [name],
      pollWaitMs: 30_000,
      handler: async () => {
        received.push(Date.now());
      },
    });
    subscriptions.push(subscription);
    // Let the first poll reach the broker and wait there.
    await delay(1_000);
    const sentAt = Date.now();
    await bus().produce([{ topic: name, key: 'k', value: Buffer.from('x') }]);
    await eventually('the message to arrive', () => received.length === 1, 20_000);
    expect((received[0] ?? Infinity) - sentAt).toBeLessThan(10_000);
    // The next poll is waiting at the broker now; closing cuts it short instead of waiting it out.
    await delay(500);
    const closingAt = Date.now();
    await subscription.close();
    expect(Date.now() - closingAt).toBeLessThan(10_000);
  });

  it('heartbeats at the subscription’s own interval, capped at a third of the session timeout', async () => {
    const name = await topic(1);
    const target = bus({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 });
    const everyHalfSecond = uniqueName('g');
    const slow = uniqueName('g');
    const heartbeats = new Map<string, number>();
    const count = (context: unknown): void => {
      const groupId = (context as { client?: { groupId?: string } }).client?.groupId ?? '';
      heartbeats.set(groupId, (heartbeats.get(groupId) ?? 0) + 1);
    };
    subscriptions.push(
      await target.subscribe({ groupId: everyHalfSecond, topics: [name], handler: async () => undefined }),
      // Asks for 10 s; a 6 s session allows 2 s at most.
      await target.subscribe({
        groupId: slow,
        topics: [name],
        heartbeatIntervalMs: 10_000,
        handler: async () => undefined,
      }),
    );
    subscribeChannel('tracing:plt:kafka:consumer:heartbeat:start', count);
    try {
      await delay(7_000);
    } finally {
      unsubscribeChannel('tracing:plt:kafka:consumer:heartbeat:start', count);
    }
    // Each next heartbeat is timed from the previous response, so a loaded machine beats less often.
    expect(heartbeats.get(everyHalfSecond) ?? 0).toBeGreaterThanOrEqual(6);
    expect(heartbeats.get(slow) ?? 0).toBeGreaterThanOrEqual(2);
    expect(heartbeats.get(slow) ?? 0).toBeLessThanOrEqual(4);
  });

  it('redelivers a hung message to the other member when its member closes with grace 0, and says how long that took', async () => {
    const name = await topic(5);
    const groupId = uniqueName('g');
    const deliveries: { member: string; aborted: boolean }[] = [];
    // The first delivery of the message hangs until aborted; a redelivery finishes.
    const handlerFor =
      (member: string): MessageHandler =>
      async (_m, { signal }) => {
        const delivery = { member, aborted: false };
        deliveries.push(delivery);
        if (deliveries.length > 1) return;
        await new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            delivery.aborted = true;
            reject(new Error('aborted'));
          }),
        );
      };
    const members = new Map<string, Subscription>();
    members.set('a', await subscribe(bus(), groupId, [name], handlerFor('a')));
    const joinStarted = Date.now();
    members.set('b', await subscribe(bus(), groupId, [name], handlerFor('b')));
    const [a, b] = [members.get('a') as Subscription, members.get('b') as Subscription];
    await eventually(
      'both members to own partitions',
      () => owned(a, name).length > 0 && owned(b, name).length > 0,
      30_000,
    );
    const joinMs = Date.now() - joinStarted;

    await bus().produce([{ topic: name, key: 'repo-hung', value: Buffer.from('stuck') }]);
    await eventually('a member to start the message', () => deliveries.length === 1, 30_000);
    const victim = deliveries[0]?.member as string;
    const survivor = members.get(victim === 'a' ? 'b' : 'a') as Subscription;
    const leaveStarted = Date.now();
    await (members.get(victim) as Subscription).close({ graceMs: 0 });
    const closeMs = Date.now() - leaveStarted;
    expect(deliveries[0]?.aborted).toBe(true);
    await eventually('the survivor to own every partition', () => owned(survivor, name).length === 5, 30_000);
    const takeoverMs = Date.now() - leaveStarted;
    await eventually('redelivery to the survivor', () => deliveries.length === 2, 30_000);
    const redeliveryMs = Date.now() - leaveStarted;
    expect(deliveries[1]?.member).not.toBe(victim);
    console.info(
      `rebalance timings: join ${joinMs} ms, close(grace 0) ${closeMs} ms, takeover ${takeoverMs} ms, redelivery ${redeliveryMs} ms`,
    );
  });

  it('continues from the earliest retained offset when the committed one was deleted', async () => {
    const name = await topic(1);
    const groupId = uniqueName('g');
    const producer = bus();
    await producer.produce(
      Array.from({ length: 10 }, (_, i) => ({ topic: name, key: 'k', value: Buffer.from(`m${i}`) })),
    );
    const firstRun: string[] = [];
    const first = await subscribe(bus(), groupId, [name], async (m) => {
      if (firstRun.length >= 2) throw new Error('stop here');
      firstRun.push(text(m));
    });
    await expect(first.done).rejects.toThrow('stop here');
    const a = admin();
    expect((await a.committedOffsets(groupId, [name])).get(name)?.get(0)).toBe(2n);
    await a.deleteRecordsBefore(name, 0, 6n);
    const secondRun: string[] = [];
    await subscribe(bus(), groupId, [name], async (m) => void secondRun.push(text(m)));
    await eventually('the retained messages', () => secondRun.length === 4, 30_000);
    expect(secondRun).toEqual(['m6', 'm7', 'm8', 'm9']);
  });

  it('gives every message to each of two groups', async () => {
    const name = await topic(3);
    const a = new Set<string>();
    const b = new Set<string>();
    await subscribe(bus(), uniqueName('ga'), [name], async (m) => void a.add(text(m)));
    await subscribe(bus(), uniqueName('gb'), [name], async (m) => void b.add(text(m)));
    await bus().produce(
      Array.from({ length: 60 }, (_, i) => ({ topic: name, key: `k${i % 9}`, value: Buffer.from(`m${i}`) })),
    );
    await eventually('both groups to see everything', () => a.size === 60 && b.size === 60, 30_000);
  });

  it('buffers at most maxBufferedMessages while the handler is busy, and then processes everything in order', async () => {
    const name = await topic(2);
    const seen: number[] = [];
    const release = gate();
    const subscription = await subscribe(bus({ maxBufferedMessages: 5 }), uniqueName('g'), [name], async (m) => {
      await release.promise;
      seen.push(Number(m.headers['x-seq']));
    });
    const total = 500;
    await bus().produce(
      Array.from({ length: total }, (_, i) => ({
        topic: name,
        key: 'one-key',
        value: Buffer.from('x'),
        headers: { 'x-seq': String(i) },
      })),
    );
    // The adapter's own diagnostic: fetched messages waiting for a handler.
    const buffered = (): number => (subscription as unknown as { bufferedMessages(): number }).bufferedMessages();
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      peak = Math.max(peak, buffered());
      await delay(50);
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(5);
    release.open();
    await eventually('every message', () => seen.length === total, 60_000);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('picks up partitions added while it runs', async () => {
    const name = await topic(2);
    const seenPartitions = new Set<number>();
    const subscription = await subscribe(bus({ partitionCheckIntervalMs: 500 }), uniqueName('g'), [name], async (m) => {
      seenPartitions.add(m.partition);
    });
    await admin().increasePartitions(name, 4);
    await eventually('the member to own the new partitions', () => owned(subscription, name).length === 4, 30_000);
    const producer = bus();
    // A fresh bus sees 4 partitions; pick keys for the new ones.
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`).filter((k) => partitionForKey(k, 4) >= 2);
    await producer.produce(keys.map((key) => ({ topic: name, key, value: Buffer.from(key) })));
    await eventually('messages from the new partitions', () => seenPartitions.has(2) && seenPartitions.has(3), 30_000);
  });
});

describe('bus-kafka: admin', () => {
  it('creates, describes, alters and grows topics', async () => {
    const a = admin();
    const name = await topic(3, {
      'retention.ms': '86400000',
      'min.insync.replicas': String(Math.min(2, replication)),
    });
    const [description] = await a.describeTopics([name, uniqueName('missing')]);
    expect(description).toMatchObject({ name, partitions: 3, replicationFactor: replication });
    expect(description?.config['retention.ms']).toBe('86400000');
    expect(description?.config['min.insync.replicas']).toBe(String(Math.min(2, replication)));

    await a.alterTopicConfig(name, { 'retention.ms': '172800000' });
    await eventually(
      'the new retention',
      async () => (await a.describeTopics([name]))[0]?.config['retention.ms'] === '172800000',
      10_000,
    );
    expect((await a.describeTopics([name]))[0]?.config['min.insync.replicas']).toBe(String(Math.min(2, replication)));

    await a.increasePartitions(name, 5);
    expect((await a.describeTopics([name]))[0]?.partitions).toBe(5);
    expect([...(await a.endOffsets(name)).keys()]).toEqual([0, 1, 2, 3, 4]);
    expect(await a.brokerCount()).toBeGreaterThanOrEqual(replication);
    expect(await a.describeTopics([uniqueName('missing')])).toEqual([]);
  });

  it('reads the lag of many groups with a few requests in all, not a few per group', async () => {
    const a = admin();
    const names: string[] = [];
    for (let t = 0; t < 6; t++) names.push(await topic(3));
    const producer = bus();
    // Topic t holds t + 1 messages.
    await producer.produce(
      names.flatMap((name, t) =>
        Array.from({ length: t + 1 }, (_, i) => ({ topic: name, key: `k${i}`, value: Buffer.from('x') })),
      ),
    );
    const groups = names.map((name) => ({ group: uniqueName('it-lag'), topic: name }));
    // The first group reads its topic to the end and commits; the others never commit.
    const first = groups[0] as { group: string; topic: string };
    const seen: string[] = [];
    const member = await subscribe(bus(), first.group, [first.topic], async (m) => void seen.push(text(m)));
    await eventually('the first group to read its message', () => seen.length === 1, 30_000);
    await member.close();
    const brokers = await a.brokerCount();
    // The first reading opens connections, learns API versions and caches the metadata.
    await readLag(a, groups);

    let reading: Awaited<ReturnType<typeof readLag>> | undefined;
    const requests = await countRequests(async () => {
      reading = await readLag(a, groups, [names[5] as string]);
    });
    expect(requests.get('ListOffsets') ?? 0).toBeLessThanOrEqual(2 * brokers); // earliest and latest, per leader
    expect(requests.get('OffsetFetch') ?? 0).toBeLessThanOrEqual(brokers); // per group coordinator
    expect(requests.get('FindCoordinator') ?? 0).toBeLessThanOrEqual(1); // for all groups at once
    expect(requests.get('Metadata') ?? 0).toBe(0); // cached
    const lagOf = (group: string): number =>
      (reading?.rows ?? []).filter((row) => row.group === group).reduce((sum, row) => sum + row.lag, 0);
    expect(groups.map((g) => lagOf(g.group))).toEqual([0, 2, 3, 4, 5, 6]);
    expect((reading?.rows ?? []).filter((row) => row.group === first.group && row.latest > 0n)).toEqual([
      expect.objectContaining({ committed: 1n, lag: 0 }),
    ]);
    expect(reading?.rows.length).toBe(6 * 3);
    expect(reading?.retained.get(names[5] as string)).toBe(6);
  });

  it('rejects creating a topic that exists with a stable code', async () => {
    const name = await topic(1);
    const error = await admin()
      .createTopics([{ name, partitions: 1, replicationFactor: replication, config: {} }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepolensError);
    expect((error as RepolensError).code).toBe(ErrorCodes.inputInvalid);
    expect((error as RepolensError).details['kafkaErrors']).toContain('TOPIC_ALREADY_EXISTS');
  });

  it('reports offsets, reads without a group in partition/offset order, and deletes records', async () => {
    const a = admin();
    const name = await topic(2);
    const producer = bus();
    const keyFor = (p: number): string =>
      Array.from({ length: 50 }, (_, i) => `k${i}`).find((k) => partitionForKey(k, 2) === p) as string;
    await producer.produce(
      Array.from({ length: 10 }, (_, i) => ({
        topic: name,
        key: keyFor(i % 2),
        value: Buffer.from(`m${i}`),
        headers: { i: String(i) },
      })),
    );
    expect(await a.startOffsets(name)).toEqual(
      new Map([
        [0, 0n],
        [1, 0n],
      ]),
    );
    expect(await a.endOffsets(name)).toEqual(
      new Map([
        [0, 5n],
        [1, 5n],
      ]),
    );

    const all = await a.readMessages(name);
    expect(all.map((m) => [m.partition, Number(m.offset)])).toEqual([
      ...[0, 1, 2, 3, 4].map((o) => [0, o]),
      ...[0, 1, 2, 3, 4].map((o) => [1, o]),
    ]);
    expect(all.map(text)).toEqual(['m0', 'm2', 'm4', 'm6', 'm8', 'm1', 'm3', 'm5', 'm7', 'm9']);
    expect(all[0]?.headers).toEqual({ i: '0' });

    const some = await a.readMessages(name, {
      from: new Map([
        [0, 3n],
        [1, 4n],
      ]),
      limit: 3,
    });
    expect(some.map((m) => `${m.partition}@${m.offset}`)).toEqual(['0@3', '0@4', '1@4']);

    await a.deleteRecordsBefore(name, 0, 3n);
    expect((await a.startOffsets(name)).get(0)).toBe(3n);
    const afterDelete = await a.readMessages(name, { from: new Map([[0, 0n]]), limit: 2 });
    expect(afterDelete.map((m) => `${m.partition}@${m.offset}`)).toEqual(['0@3', '0@4']);
    expect(await a.committedOffsets(uniqueName('nobody'), [name])).toEqual(new Map());
  });

  it('stops reading at the end offsets captured when the read started', async () => {
    const a = admin();
    const name = await topic(1);
    const producer = bus();
    await producer.produce(
      Array.from({ length: 200 }, (_, i) => ({ topic: name, key: 'k', value: Buffer.alloc(10_000, i) })),
    );
    const reading = a.readMessages(name);
    const more = producer.produce(
      Array.from({ length: 50 }, () => ({ topic: name, key: 'k', value: Buffer.from('later') })),
    );
    const [read] = await Promise.all([reading, more]);
    expect(read.length).toBeGreaterThanOrEqual(200);
    expect(read.slice(0, 200).every((m, i) => m.offset === BigInt(i))).toBe(true);
  });
});

describe('bus-kafka: failures', () => {
  it('rejects producing to a topic that does not exist with a stable, non-retryable code', async () => {
    const error = await bus()
      .produce([{ topic: uniqueName('missing'), key: 'k', value: Buffer.from('x') }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepolensError);
    expect((error as RepolensError).code).toBe(ErrorCodes.inputInvalid);
    expect((error as RepolensError).retryable).toBe(false);
  });

  it('rejects subscribing to a topic that does not exist with a stable code', async () => {
    const error = await bus()
      .subscribe({ groupId: uniqueName('g'), topics: [uniqueName('missing')], handler: async () => undefined })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.inputInvalid, retryable: false });
  });

  it('maps an unreachable cluster to REPOLENS_UNAVAILABLE with the cause attached', async () => {
    const unreachable = createKafkaBus({
      brokers: ['127.0.0.1:1'],
      clientId: uniqueName('down'),
      produceTimeoutMs: 1_000,
    });
    buses.push(unreachable);
    const produced = await unreachable
      .produce([{ topic: 't', key: 'k', value: Buffer.from('x') }])
      .catch((e: unknown) => e);
    expect(produced).toMatchObject({ code: ErrorCodes.unavailable, retryable: true });
    expect((produced as Error).cause).toBeDefined();

    const subscribed = await unreachable
      .subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined })
      .catch((e: unknown) => e);
    expect(subscribed).toMatchObject({ code: ErrorCodes.unavailable, retryable: true });

    const downAdmin = createKafkaBusAdmin({ brokers: ['127.0.0.1:1'], clientId: uniqueName('down-admin') });
    admins.push(downAdmin);
    expect(await downAdmin.brokerCount().catch((e: unknown) => e)).toMatchObject({
      code: ErrorCodes.unavailable,
      retryable: true,
    });
  });

  it('rejects bad options with REPOLENS_CONFIG_INVALID naming the setting', () => {
    expect(() => createKafkaBus({ brokers: [], clientId: 'x' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.configInvalid }),
    );
    expect(() =>
      createKafkaBus({ brokers: ['b:1'], clientId: 'x', sessionTimeoutMs: 1000, heartbeatIntervalMs: 2000 }),
    ).toThrow(expect.objectContaining({ code: ErrorCodes.configInvalid, details: { setting: 'heartbeatIntervalMs' } }));
    expect(() => createKafkaBus({ brokers: ['b:1'], clientId: 'x', commitIntervalMs: -1 })).toThrow(
      expect.objectContaining({ code: ErrorCodes.configInvalid, details: { setting: 'commitIntervalMs' } }),
    );
  });

  it.each(['pollWaitMs', 'heartbeatIntervalMs'])(
    'rejects a subscription whose %s is not a positive integer',
    async (setting) => {
      const error: unknown = await bus()
        .subscribe({ groupId: 'g', topics: ['t'], [setting]: 0, handler: async () => undefined })
        .catch((rejection: unknown) => rejection);
      expect(error).toBeInstanceOf(RepolensError);
      expect((error as RepolensError).code).toBe(ErrorCodes.inputInvalid);
      expect((error as RepolensError).message).toContain(setting);
    },
  );

  it('refuses to produce or subscribe after close', async () => {
    const closed = bus();
    await closed.close();
    await expect(closed.produce([{ topic: 't', key: 'k', value: Buffer.from('x') }])).rejects.toBeInstanceOf(
      RepolensError,
    );
    await expect(
      closed.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined }),
    ).rejects.toBeInstanceOf(RepolensError);
  });
});
