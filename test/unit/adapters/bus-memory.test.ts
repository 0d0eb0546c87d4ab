/** The in-process broker's own behaviour, beyond the shared MessageBus contract. */
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { assignPartitions, type TopicPartition } from '../../../src/adapters/bus-memory/assignment.js';
import {
  createMemoryBroker,
  createMemoryBus,
  createMemoryBusAdmin,
  type MemoryBroker,
  type MemoryBrokerOptions,
} from '../../../src/adapters/bus-memory/index.js';
import { partitionForKey } from '../../../src/domain/partitioner.js';
import { RepolensError } from '../../../src/domain/errors.js';
import type { BusAdmin } from '../../../src/ports/bus-admin.js';
import type { MessageBus, MessageHandler, ReceivedMessage, Subscription } from '../../../src/ports/message-bus.js';
import { eventually, gate } from '../../support/wait.js';

const text = (m: ReceivedMessage): string => m.value.toString('utf8');
const keyOf = (m: ReceivedMessage): string => m.key?.toString('utf8') ?? '';

/** A handler that waits for its signal forever and then rejects, as a well-behaved slow handler would. */
const hangUntilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

interface World {
  broker: MemoryBroker;
  admin: BusAdmin;
  bus: MessageBus;
  newBus(): MessageBus;
  subscribe(
    bus: MessageBus,
    groupId: string,
    handler: MessageHandler,
    options?: { concurrency?: number; topics?: string[] },
  ): Promise<Subscription>;
  produce(topic: string, items: readonly (readonly [key: string | null, value: string])[]): Promise<void>;
  committed(groupId: string, topic: string, partition: number): Promise<bigint | undefined>;
}

const buses: MessageBus[] = [];
const subscriptions: Subscription[] = [];

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((s) => s.close({ graceMs: 0 })));
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

async function world(topics: Record<string, number>, options: MemoryBrokerOptions = {}): Promise<World> {
  const broker = createMemoryBroker(options);
  const admin = createMemoryBusAdmin(broker);
  await admin.createTopics(
    Object.entries(topics).map(([name, partitions]) => ({ name, partitions, replicationFactor: 1, config: {} })),
  );
  const newBus = (): MessageBus => {
    const bus = createMemoryBus(broker);
    buses.push(bus);
    return bus;
  };
  const bus = newBus();
  return {
    broker,
    admin,
    bus,
    newBus,
    async subscribe(target, groupId, handler, subscribeOptions = {}) {
      const subscription = await target.subscribe({
        groupId,
        topics: subscribeOptions.topics ?? Object.keys(topics),
        handler,
        concurrency: subscribeOptions.concurrency,
      });
      subscriptions.push(subscription);
      return subscription;
    },
    async produce(topic, items) {
      await bus.produce(items.map(([key, value]) => ({ topic, key, value: Buffer.from(value) })));
    },
    async committed(groupId, topic, partition) {
      return (await admin.committedOffsets(groupId, [topic])).get(topic)?.get(partition);
    },
  };
}

/** A key that murmur2 puts on `partition` of a topic with `partitions` partitions. */
function keyOnPartition(partition: number, partitions: number, prefix = 'repo'): string {
  for (let i = 0; ; i++) {
    if (partitionForKey(`${prefix}-${i}`, partitions) === partition) return `${prefix}-${i}`;
  }
}

describe('bus-memory: dispatch', () => {
  it('keeps per-key order with concurrency, runs at most `concurrency` handlers and never one key twice', async () => {
    const w = await world({ t: 1 });
    const running = new Set<string>();
    const order = new Map<string, number[]>();
    let peak = 0;
    let overlaps = 0;
    await w.subscribe(
      w.bus,
      'g',
      async (m) => {
        if (running.has(keyOf(m))) overlaps++;
        running.add(keyOf(m));
        peak = Math.max(peak, running.size);
        await delay(1 + (Number(text(m)) % 3));
        running.delete(keyOf(m));
        order.set(keyOf(m), [...(order.get(keyOf(m)) ?? []), Number(text(m))]);
      },
      { concurrency: 3 },
    );
    await w.produce(
      't',
      Array.from({ length: 90 }, (_, i) => [`k${i % 5}`, String(i)] as const),
    );
    await eventually('all handled', () => [...order.values()].flat().length === 90, 10_000);
    expect(overlaps).toBe(0);
    expect(peak).toBe(3);
    for (const sequence of order.values()) expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
  });

  it('lets other keys of the same partition pass a key whose handler is still running', async () => {
    const w = await world({ t: 1 });
    const release = gate();
    const seen: string[] = [];
    await w.subscribe(
      w.bus,
      'g',
      async (m) => {
        seen.push(text(m));
        if (text(m) === 'a0') await release.promise;
      },
      { concurrency: 2 },
    );
    await w.produce('t', [
      ['a', 'a0'],
      ['a', 'a1'],
      ['b', 'b0'],
      ['b', 'b1'],
    ]);
    await eventually('b to pass a', () => seen.includes('b1'));
    expect(seen).not.toContain('a1');
    release.open();
    await eventually('a1', () => seen.includes('a1'));
  });

  it('commits a contiguous watermark when handlers finish out of order', async () => {
    const w = await world({ t: 1 });
    const release = gate();
    const finished: string[] = [];
    await w.subscribe(
      w.bus,
      'g',
      async (m) => {
        if (text(m) === 'slow') await release.promise;
        finished.push(text(m));
      },
      { concurrency: 3 },
    );
    await w.produce('t', [
      ['k0', 'slow'],
      ['k1', 'fast1'],
      ['k2', 'fast2'],
    ]);
    await eventually('the fast ones', () => finished.length === 2);
    await delay(20);
    expect(await w.committed('g', 't', 0)).toBeUndefined();
    release.open();
    await eventually('the commit past all three', async () => (await w.committed('g', 't', 0)) === 3n);
  });

  it('wakes an idle member as soon as a message is produced', async () => {
    const w = await world({ t: 2 });
    const seen: number[] = [];
    await w.subscribe(w.bus, 'g', async () => void seen.push(Date.now()));
    await delay(50);
    const producedAt = Date.now();
    await w.produce('t', [['k', 'v']]);
    await eventually('delivery', () => seen.length === 1, 1_000, 1);
    expect(seen[0]! - producedAt).toBeLessThan(200);
  });

  it('bounds the work past an unfinished message instead of buffering the whole backlog', async () => {
    const w = await world({ t: 1 });
    let handled = 0;
    await w.subscribe(
      w.bus,
      'g',
      async (m, { signal }) => {
        if (text(m) === 'stuck') await hangUntilAborted(signal);
        handled++;
      },
      { concurrency: 2 },
    );
    await w.produce('t', [
      ['stuck-key', 'stuck'],
      ...Array.from({ length: 3000 }, (_, i) => [`k${i}`, `m${i}`] as const),
    ]);
    await eventually('the window to fill', () => handled >= 1000, 10_000);
    await delay(100);
    expect(handled).toBeLessThan(1024);
    expect(await w.committed('g', 't', 0)).toBeUndefined();
  });

  it('spreads records without a key over the partitions and runs them concurrently', async () => {
    const w = await world({ t: 3 });
    const partitions = new Set<number>();
    let running = 0;
    let peak = 0;
    await w.subscribe(
      w.bus,
      'g',
      async (m) => {
        partitions.add(m.partition);
        running++;
        peak = Math.max(peak, running);
        await delay(5);
        running--;
      },
      { concurrency: 3 },
    );
    await w.produce(
      't',
      Array.from({ length: 9 }, (_, i) => [null, `m${i}`] as const),
    );
    await eventually('all partitions used', () => partitions.size === 3);
    expect(peak).toBeGreaterThan(1);
  });

  it('hands each handler its own copy of the bytes', async () => {
    const w = await world({ t: 1 });
    const group = 'g';
    const first = await w.subscribe(w.bus, group, async (m) => {
      m.value.fill(0);
      throw new Error('fail after scribbling');
    });
    await w.produce('t', [['k', 'intact']]);
    await expect(first.done).rejects.toThrow('fail after scribbling');
    const seen: string[] = [];
    await w.subscribe(w.newBus(), group, async (m) => void seen.push(text(m)));
    await eventually('redelivery', () => seen.length === 1);
    expect(seen).toEqual(['intact']);
  });
});

describe('bus-memory: close, failure and redelivery', () => {
  it('redelivers a message whose handler ignores the abort, after close with grace 0', async () => {
    const w = await world({ t: 1 });
    const first = await w.subscribe(w.bus, 'g', () => new Promise<void>(() => undefined));
    await w.produce('t', [
      ['k', 'm0'],
      ['k', 'm1'],
    ]);
    await delay(20);
    await first.close({ graceMs: 0 });
    await expect(first.done).resolves.toBeUndefined();
    expect(first.assignments().size).toBe(0);
    expect(await w.committed('g', 't', 0)).toBeUndefined();

    const seen: string[] = [];
    await w.subscribe(w.newBus(), 'g', async (m) => void seen.push(text(m)));
    await eventually('redelivery', () => seen.length === 2);
    expect(seen).toEqual(['m0', 'm1']);
  });

  it('a shorter close grace overrides a longer one already running', async () => {
    const w = await world({ t: 1 });
    let aborted = false;
    const subscription = await w.subscribe(w.bus, 'g', async (_m, { signal }) => {
      signal.addEventListener('abort', () => (aborted = true));
      await hangUntilAborted(signal);
    });
    await w.produce('t', [['k', 'm0']]);
    await eventually('handler started', () => subscription.assignments().size > 0);
    await delay(20);
    const slow = subscription.close({ graceMs: 60_000 });
    const started = Date.now();
    await subscription.close({ graceMs: 0 });
    await slow;
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('on a handler rejection: rejects done, commits what finished elsewhere, and leaves the rest', async () => {
    const w = await world({ t: 2 });
    const [failPartition, otherPartition] = [0, 1];
    const [failKey, otherKey] = [keyOnPartition(failPartition, 2), keyOnPartition(otherPartition, 2)];
    const release = gate();
    const failure = new Error('broken');
    const first = await w.subscribe(
      w.bus,
      'g',
      async (m) => {
        if (text(m) === 'other') await release.promise;
        if (text(m) === 'bad') throw failure;
      },
      { concurrency: 2 },
    );
    await w.produce('t', [
      [otherKey, 'other'],
      [failKey, 'good'],
      [failKey, 'bad'],
      [failKey, 'after'],
    ]);
    await eventually('the failure to stop fetching', async () => (await w.committed('g', 't', failPartition)) === 1n);
    release.open();
    await expect(first.done).rejects.toBe(failure);
    await first.close();
    expect(await w.committed('g', 't', failPartition)).toBe(1n);
    expect(await w.committed('g', 't', otherPartition)).toBe(1n);

    const seen: string[] = [];
    await w.subscribe(w.newBus(), 'g', async (m) => void seen.push(text(m)));
    await eventually('redelivery', () => seen.length === 2);
    expect(seen).toEqual(['bad', 'after']);
  });

  it('closes the whole bus: its subscriptions leave, and it refuses further use', async () => {
    const w = await world({ t: 1 });
    const bus = w.newBus();
    const subscription = await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    await bus.close();
    await bus.close();
    await expect(subscription.done).resolves.toBeUndefined();
    await expect(bus.produce([{ topic: 't', key: 'k', value: Buffer.from('v') }])).rejects.toMatchObject({
      code: 'REPOLENS_UNAVAILABLE',
    });
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined })).rejects.toBeInstanceOf(
      RepolensError,
    );
  });
});

describe('bus-memory: groups and rebalancing', () => {
  it('splits partitions on join (stickily) and gives them back on leave', async () => {
    const w = await world({ t: 6 });
    const handler: MessageHandler = async () => undefined;
    const first = await w.subscribe(w.bus, 'g', handler);
    expect(first.assignments().get('t')).toEqual([0, 1, 2, 3, 4, 5]);
    const second = await w.subscribe(w.newBus(), 'g', handler);
    expect(first.assignments().get('t')).toEqual([0, 1, 2]);
    expect(second.assignments().get('t')).toEqual([3, 4, 5]);
    const third = await w.subscribe(w.newBus(), 'g', handler);
    const counts = [first, second, third].map((s) => s.assignments().get('t')?.length);
    expect(counts).toEqual([2, 2, 2]);
    await second.close();
    await eventually('the others to take its share', () => first.assignments().get('t')?.length === 3);
    expect(third.assignments().get('t')?.length).toBe(3);
    expect(w.broker.group('g').memberIds()).toHaveLength(2);
  });

  it('moves a partition only after its in-flight handler finished, so nothing runs twice', async () => {
    const w = await world({ t: 2 });
    const partition = 1;
    const key = keyOnPartition(partition, 2);
    const release = gate();
    const seen: string[] = [];
    let running = 0;
    let overlap = false;
    const handler: MessageHandler = async (m) => {
      if (++running > 1) overlap = true;
      seen.push(text(m));
      if (text(m) === 'm0') await release.promise;
      running--;
    };
    const first = await w.subscribe(w.bus, 'g', handler);
    await w.produce('t', [
      [key, 'm0'],
      [key, 'm1'],
    ]);
    await eventually('m0 to start', () => seen.includes('m0'));
    const joining = w.subscribe(w.newBus(), 'g', handler);
    await delay(50);
    release.open();
    const second = await joining;
    await eventually('m1', () => seen.includes('m1'));
    await delay(20);
    expect(seen).toEqual(['m0', 'm1']);
    expect(overlap).toBe(false);
    const owners = [first, second].filter((s) => s.assignments().get('t')?.includes(partition));
    expect(owners).toHaveLength(1);
    expect(await w.committed('g', 't', partition)).toBe(2n);
  });

  it('aborts a revoked partition’s handler after the rebalance timeout and never commits it', async () => {
    const w = await world({ t: 2 }, { rebalanceTimeoutMs: 100 });
    let finishLate: (() => void) | undefined;
    const firstSeen: string[] = [];
    const first = await w.subscribe(
      w.bus,
      'g',
      (m) => {
        firstSeen.push(text(m));
        // Ignores its abort signal and finishes much later: a zombie.
        return new Promise<void>((resolve) => (finishLate = resolve));
      },
      { concurrency: 2 },
    );
    await w.produce('t', [[keyOnPartition(1, 2), 'on-1']]);
    await eventually('the first member to start', () => firstSeen.length === 1);
    const secondSeen: string[] = [];
    await w.subscribe(w.newBus(), 'g', async (m) => void secondSeen.push(text(m)));
    expect(first.assignments().get('t')).toEqual([0]);
    await eventually('redelivery to the new owner', () => secondSeen.includes('on-1'));
    finishLate?.();
    await delay(20);
    expect(await w.committed('g', 't', 1)).toBe(1n);
  });

  it('gives each group every message, with its own offsets', async () => {
    const w = await world({ t: 3 });
    const a: string[] = [];
    const b: string[] = [];
    await w.subscribe(w.bus, 'ga', async (m) => void a.push(text(m)));
    const gate1 = gate();
    await w.subscribe(w.newBus(), 'gb', async (m) => {
      b.push(text(m));
      await gate1.promise;
    });
    await w.produce(
      't',
      Array.from({ length: 30 }, (_, i) => [`k${i}`, `m${i}`] as const),
    );
    await eventually('group a to see all', () => a.length === 30);
    expect(b.length).toBe(1);
    const ca = await w.admin.committedOffsets('ga', ['t']);
    const cb = await w.admin.committedOffsets('gb', ['t']);
    expect([...(ca.get('t')?.values() ?? [])].reduce((s, o) => s + o, 0n)).toBe(30n);
    expect(cb.get('t')?.size).toBe(0);
    gate1.open();
    await eventually('group b to see all', () => b.length === 30);
  });

  it('takes partitions added to a subscribed topic', async () => {
    const w = await world({ t: 1 });
    const subscription = await w.subscribe(w.bus, 'g', async () => undefined);
    await w.admin.increasePartitions('t', 3);
    await eventually('the new partitions', () => subscription.assignments().get('t')?.length === 3);
  });

  it('continues from the earliest retained offset when its committed offset was deleted', async () => {
    const w = await world({ t: 1 });
    const seen: string[] = [];
    const first = await w.subscribe(w.bus, 'g', async (m) => void seen.push(text(m)));
    await w.produce('t', [['k', 'm0']]);
    await eventually('m0', () => seen.length === 1);
    await first.close();
    await w.produce('t', [
      ['k', 'm1'],
      ['k', 'm2'],
      ['k', 'm3'],
    ]);
    await w.admin.deleteRecordsBefore('t', 0, 3n);
    await w.subscribe(w.newBus(), 'g', async (m) => void seen.push(text(m)));
    await eventually('m3', () => seen.length === 2);
    expect(seen).toEqual(['m0', 'm3']);
  });

  it('refuses to subscribe to a topic that does not exist', async () => {
    const w = await world({ t: 1 });
    await expect(
      w.bus.subscribe({ groupId: 'g', topics: ['nope'], handler: async () => undefined }),
    ).rejects.toMatchObject({
      code: 'REPOLENS_INPUT_INVALID',
    });
  });
});

describe('bus-memory: producing, retention and admin', () => {
  it('refuses to produce to a missing topic, appending nothing of the batch', async () => {
    const w = await world({ t: 1 });
    const attempt = w.bus.produce([
      { topic: 't', key: 'k', value: Buffer.from('v') },
      { topic: 'missing', key: 'k', value: Buffer.from('v') },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(RepolensError);
    await expect(attempt).rejects.toMatchObject({ code: 'REPOLENS_INPUT_INVALID' });
    await expect(attempt).rejects.toThrow('"missing"');
    expect((await w.admin.endOffsets('t')).get(0)).toBe(0n);
  });

  it('drops records older than retention.ms when the log is next touched', async () => {
    let now = 1_000_000;
    const broker = createMemoryBroker({ now: () => now });
    const admin = createMemoryBusAdmin(broker);
    const bus = createMemoryBus(broker);
    buses.push(bus);
    await admin.createTopics([{ name: 't', partitions: 1, replicationFactor: 1, config: { 'retention.ms': '1000' } }]);
    await bus.produce([{ topic: 't', key: 'k', value: Buffer.from('old') }]);
    now += 600;
    await bus.produce([{ topic: 't', key: 'k', value: Buffer.from('new') }]);
    now += 600;
    expect((await admin.readMessages('t')).map(text)).toEqual(['new']);
    expect((await admin.startOffsets('t')).get(0)).toBe(1n);
    await admin.alterTopicConfig('t', { 'retention.ms': '-1' });
    now += 10_000;
    expect((await admin.readMessages('t')).map(text)).toEqual(['new']);
  });

  it('creates, describes and alters topics', async () => {
    const broker = createMemoryBroker({ defaultPartitions: 4 });
    const admin = createMemoryBusAdmin(broker);
    expect(await admin.brokerCount()).toBe(1);
    await admin.createTopics([
      {
        name: 'a',
        partitions: 3,
        replicationFactor: 3,
        config: { 'retention.ms': '604800000', 'min.insync.replicas': '2' },
      },
    ]);
    broker.createTopic({ name: 'b' });
    expect(await admin.describeTopics(['a', 'b', 'missing'])).toEqual([
      {
        name: 'a',
        partitions: 3,
        replicationFactor: 3,
        config: { 'retention.ms': '604800000', 'min.insync.replicas': '2' },
      },
      {
        name: 'b',
        partitions: 4,
        replicationFactor: 1,
        config: { 'retention.ms': '604800000', 'min.insync.replicas': '1' },
      },
    ]);
    await expect(
      admin.createTopics([{ name: 'a', partitions: 1, replicationFactor: 1, config: {} }]),
    ).rejects.toMatchObject({
      code: 'REPOLENS_INPUT_INVALID',
    });
    await expect(
      admin.createTopics([{ name: 'bad name', partitions: 1, replicationFactor: 1, config: {} }]),
    ).rejects.toBeInstanceOf(RepolensError);
    await admin.alterTopicConfig('a', { 'retention.ms': '1000', 'cleanup.policy': 'delete' });
    const [altered] = await admin.describeTopics(['a']);
    expect(altered?.config).toEqual({ 'retention.ms': '1000', 'min.insync.replicas': '2', 'cleanup.policy': 'delete' });
    await expect(admin.alterTopicConfig('a', { 'retention.ms': 'soon' })).rejects.toBeInstanceOf(RepolensError);
    await admin.increasePartitions('a', 5);
    expect((await admin.describeTopics(['a']))[0]?.partitions).toBe(5);
    await expect(admin.increasePartitions('a', 5)).rejects.toBeInstanceOf(RepolensError);
    await admin.close();
    await expect(admin.brokerCount()).rejects.toBeInstanceOf(RepolensError);
  });

  it('reports offsets, reads outside any group, and deletes records', async () => {
    const w = await world({ t: 2 });
    const [k0, k1] = [keyOnPartition(0, 2), keyOnPartition(1, 2)];
    await w.produce('t', [
      [k0, 'a0'],
      [k1, 'b0'],
      [k0, 'a1'],
      [k0, 'a2'],
    ]);
    expect(await w.admin.endOffsets('t')).toEqual(
      new Map([
        [0, 3n],
        [1, 1n],
      ]),
    );
    expect(await w.admin.startOffsets('t')).toEqual(
      new Map([
        [0, 0n],
        [1, 0n],
      ]),
    );
    expect((await w.admin.readMessages('t')).map(text)).toEqual(['a0', 'a1', 'a2', 'b0']);
    expect((await w.admin.readMessages('t', { limit: 2 })).map(text)).toEqual(['a0', 'a1']);
    expect(
      (await w.admin.readMessages('t', { from: new Map([[0, 2n]]) })).map((m) => [m.partition, m.offset, text(m)]),
    ).toEqual([
      [0, 2n, 'a2'],
      [1, 0n, 'b0'],
    ]);

    await w.admin.deleteRecordsBefore('t', 0, 2n);
    expect((await w.admin.startOffsets('t')).get(0)).toBe(2n);
    expect((await w.admin.readMessages('t')).map(text)).toEqual(['a2', 'b0']);
    await expect(w.admin.deleteRecordsBefore('t', 0, 9n)).rejects.toBeInstanceOf(RepolensError);
    await expect(w.admin.deleteRecordsBefore('t', 7, 0n)).rejects.toBeInstanceOf(RepolensError);

    const seen: string[] = [];
    await w.subscribe(w.bus, 'g', async (m) => void seen.push(text(m)));
    await eventually('the retained messages', () => seen.length === 2);
    await eventually('the commits', async () => {
      const committed = (await w.admin.committedOffsets('g', ['t', 'other'])).get('t');
      return committed?.get(0) === 3n && committed.get(1) === 1n;
    });
    expect((await w.admin.committedOffsets('unknown-group', ['t'])).get('t')?.size).toBe(0);
  });
});

describe('bus-memory: assignment', () => {
  const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

  it('spreads each topic evenly and keeps current owners where balance allows', () => {
    const counts = new Map([
      ['a', 5],
      ['b', 2],
    ]);
    const members = [
      { id: 'm1', topics: ['a', 'b'] },
      { id: 'm2', topics: ['a', 'b'] },
    ];
    const current = new Map([['m1', [0, 1, 2, 3, 4].map((p) => tp('a', p))]]);
    const result = assignPartitions(members, counts, current);
    expect(
      result
        .get('m1')
        ?.filter((x) => x.topic === 'a')
        .map((x) => x.partition),
    ).toEqual([0, 1, 2]);
    expect(
      result
        .get('m2')
        ?.filter((x) => x.topic === 'a')
        .map((x) => x.partition),
    ).toEqual([3, 4]);
    expect(result.get('m1')?.filter((x) => x.topic === 'b')).toHaveLength(1);
    expect(result.get('m2')?.filter((x) => x.topic === 'b')).toHaveLength(1);
  });

  it('gives a topic only to members subscribed to it', () => {
    const result = assignPartitions(
      [
        { id: 'm1', topics: ['a'] },
        { id: 'm2', topics: ['b'] },
      ],
      new Map([
        ['a', 2],
        ['b', 2],
        ['c', 4],
      ]),
      new Map(),
    );
    expect(result.get('m1')).toEqual([tp('a', 0), tp('a', 1)]);
    expect(result.get('m2')).toEqual([tp('b', 0), tp('b', 1)]);
  });
});
