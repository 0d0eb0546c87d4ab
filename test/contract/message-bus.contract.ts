/**
 * The MessageBus contract (src/ports/message-bus.ts), one suite run against every adapter:
 * test/contract/bus-memory.test.ts and test/contract/bus-kafka.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/domain/partitioner.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus, MessageHandler, ReceivedMessage, Subscription } from '../../src/ports/message-bus.js';
import { eventually, gate } from '../support/wait.js';

export interface BusFixture {
  readonly bus: MessageBus;
  readonly admin: BusAdmin;
  /** A second, independent client, as another process would have. */
  newBus(): Promise<MessageBus>;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** Upper bound for anything that needs a group (re)join; Kafka needs seconds. */
  readonly settleMs?: number;
}

const PARTITIONS = 5;

function text(message: ReceivedMessage): string {
  return message.value.toString('utf8');
}

function keyOf(message: ReceivedMessage): string {
  return message.key?.toString('utf8') ?? '';
}

export function describeMessageBusContract(
  adapter: string,
  setup: () => Promise<BusFixture>,
  options: ContractOptions = {},
): void {
  const settleMs = options.settleMs ?? 10_000;

  describe(`MessageBus contract: ${adapter}`, () => {
    let fixture: BusFixture;
    let topic: string;
    const extraBuses: MessageBus[] = [];
    const subscriptions: Subscription[] = [];

    const name = (prefix: string): string => `contract-${prefix}-${randomUUID().slice(0, 8)}`;

    async function subscribe(
      bus: MessageBus,
      groupId: string,
      handler: MessageHandler,
      concurrency?: number,
      topics: string[] = [topic],
    ): Promise<Subscription> {
      const subscription = await bus.subscribe({ groupId, topics, handler, concurrency });
      subscriptions.push(subscription);
      // A rejected `done` is asserted where a test expects it; elsewhere keep it from going unhandled.
      subscription.done.catch(() => undefined);
      return subscription;
    }

    async function secondBus(): Promise<MessageBus> {
      const bus = await fixture.newBus();
      extraBuses.push(bus);
      return bus;
    }

    async function produce(count: number, keyFor: (i: number) => string, target = topic): Promise<void> {
      const messages = Array.from({ length: count }, (_, i) => ({
        topic: target,
        key: keyFor(i),
        value: Buffer.from(`m${i}`),
        headers: { 'x-seq': String(i) },
      }));
      await fixture.bus.produce(messages);
    }

    async function ownedPartitions(subscription: Subscription): Promise<number[]> {
      await Promise.resolve();
      return [...(subscription.assignments().get(topic) ?? [])].sort((a, b) => a - b);
    }

    beforeEach(async () => {
      fixture = await setup();
      topic = name('topic');
      const replicationFactor = Math.min(3, await fixture.admin.brokerCount());
      await fixture.admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor, config: {} }]);
    });

    afterEach(async () => {
      await Promise.allSettled(subscriptions.splice(0).map((s) => s.close({ graceMs: 0 })));
      await Promise.allSettled(extraBuses.splice(0).map((b) => b.close()));
      await fixture.close();
    });

    it('round-trips key, value and headers, on the partition murmur2 picks for the key', async () => {
      const received: ReceivedMessage[] = [];
      await subscribe(fixture.bus, name('group'), async (message) => {
        received.push(message);
      });
      const key = 'https://example.test/acme/widgets';
      const headers = {
        'x-commit': 'a'.repeat(40),
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      };
      await fixture.bus.produce([{ topic, key, value: Buffer.from('{"hello":"wörld"}'), headers }]);
      await eventually('the message', () => received.length === 1, settleMs * 3);
      const [message] = received as [ReceivedMessage];
      expect(message.topic).toBe(topic);
      expect(keyOf(message)).toBe(key);
      expect(text(message)).toBe('{"hello":"wörld"}');
      expect(message.headers).toMatchObject(headers);
      expect(message.partition).toBe(partitionForKey(key, PARTITIONS));
      expect(typeof message.offset).toBe('bigint');
      expect(Math.abs(message.timestamp - Date.now())).toBeLessThan(60_000);
    });

    it('delivers each key in produce order, with concurrency, never two of one key at once', async () => {
      const keys = Array.from({ length: 12 }, (_, k) => `repo-${k}`);
      const seen = new Map<string, number[]>();
      const running = new Set<string>();
      let overlaps = 0;
      let peak = 0;
      await subscribe(
        fixture.bus,
        name('group'),
        async (message) => {
          const key = keyOf(message);
          if (running.has(key)) overlaps++;
          running.add(key);
          peak = Math.max(peak, running.size);
          await delay(1 + (Number(message.headers['x-seq']) % 3));
          running.delete(key);
          seen.set(key, [...(seen.get(key) ?? []), Number(message.headers['x-seq'])]);
        },
        4,
      );
      const total = 240;
      await produce(total, (i) => keys[i % keys.length] as string);
      await eventually(
        'every message',
        () => [...seen.values()].reduce((n, s) => n + s.length, 0) === total,
        settleMs * 3,
      );
      expect(overlaps).toBe(0);
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(4);
      for (const [key, sequence] of seen) {
        expect(sequence, key).toEqual([...sequence].sort((a, b) => a - b));
      }
    });

    it.each([1, 2])(
      'takes its partitions in turn when several have messages waiting (concurrency %i)',
      async (concurrency) => {
        // Four keys per partition, produced partition by partition, as one batch of discoveries
        // hashed over the partitions would look to a fetch.
        const keys = Array.from({ length: PARTITIONS }, (_, partition) => {
          const found: string[] = [];
          for (let i = 0; found.length < 4; i++)
            if (partitionForKey(`repo-${i}`, PARTITIONS) === partition) found.push(`repo-${i}`);
          return found;
        }).flat();
        await produce(keys.length, (i) => keys[i] as string);
        const handled: number[] = [];
        await subscribe(
          fixture.bus,
          name('group'),
          async (message) => {
            handled.push(message.partition);
            // The first messages hold every handler until each partition's fetch has landed
            // (the leaders answer separately); from then on the order is the scheduler's alone.
            await delay(handled.length <= concurrency ? 1_000 : 10);
          },
          concurrency,
        );
        await eventually('every message', () => handled.length === keys.length, settleMs * 3);
        // Served partition after partition, the first ten would come from three partitions at
        // most. (Which partitions the first handlers get depends on which leader answers first:
        // one of them may lead a single partition. The unit test of KeyScheduler checks that a
        // whole response is queued before free handlers are handed out.)
        expect(new Set(handled.slice(0, 10)).size).toBe(PARTITIONS);
      },
    );

    it('delivers each message once per group when members share the work', async () => {
      const groupId = name('group');
      const counts = new Map<string, number>();
      const handler: MessageHandler = async (message) => {
        counts.set(text(message), (counts.get(text(message)) ?? 0) + 1);
      };
      const first = await subscribe(fixture.bus, groupId, handler);
      const second = await subscribe(await secondBus(), groupId, handler);
      await eventually(
        'both members to own partitions',
        async () => (await ownedPartitions(first)).length > 0 && (await ownedPartitions(second)).length > 0,
        settleMs * 3,
      );
      const total = 300;
      await produce(total, (i) => `repo-${i % 37}`);
      await eventually('every message', () => counts.size === total, settleMs * 3);
      await delay(500);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    });

    it('gives every message to each of two groups', async () => {
      const a = new Set<string>();
      const b = new Set<string>();
      await subscribe(fixture.bus, name('group-a'), async (m) => void a.add(text(m)));
      await subscribe(await secondBus(), name('group-b'), async (m) => void b.add(text(m)));
      await produce(100, (i) => `repo-${i % 7}`);
      await eventually('both groups to see all', () => a.size === 100 && b.size === 100, settleMs * 3);
    });

    it('starts a new group at the earliest retained message', async () => {
      await produce(20, (i) => `repo-${i}`);
      const seen = new Set<string>();
      await subscribe(fixture.bus, name('group'), async (m) => void seen.add(text(m)));
      await eventually('the messages produced before subscribing', () => seen.size === 20, settleMs * 3);
    });

    it('commits only what its handler finished, and redelivers the rest after a member dies', async () => {
      const groupId = name('group');
      const key = 'repo-stuck';
      const firstSeen: string[] = [];
      const first = await subscribe(fixture.bus, groupId, async (message, { signal }) => {
        firstSeen.push(text(message));
        if (text(message) === 'm2') {
          // Never finishes on its own: the member "dies" with this message in hand.
          await new Promise<void>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new Error('aborted'))),
          );
        }
      });
      await produce(5, () => key);
      await eventually('the first member to reach m2', () => firstSeen.includes('m2'), settleMs * 3);
      await delay(300);
      expect(firstSeen).toEqual(['m0', 'm1', 'm2']);
      await first.close({ graceMs: 0 });

      const partition = partitionForKey(key, PARTITIONS);
      const committed = await fixture.admin.committedOffsets(groupId, [topic]);
      const start = (await fixture.admin.startOffsets(topic)).get(partition) ?? 0n;
      expect(committed.get(topic)?.get(partition)).toBe(start + 2n);

      const secondSeen: string[] = [];
      await subscribe(await secondBus(), groupId, async (m) => void secondSeen.push(text(m)));
      await eventually('redelivery to the remaining member', () => secondSeen.length === 3, settleMs * 3);
      expect(secondSeen).toEqual(['m2', 'm3', 'm4']);
    });

    it('reads the offsets of several topics and the commits of several groups in one call', async () => {
      const other = name('topic');
      const replicationFactor = Math.min(3, await fixture.admin.brokerCount());
      await fixture.admin.createTopics([{ name: other, partitions: 2, replicationFactor, config: {} }]);
      await produce(6, (i) => `repo-${i}`);
      await produce(3, (i) => `other-${i}`, other);
      const groupId = name('group');
      const seen: string[] = [];
      const member = await subscribe(fixture.bus, groupId, async (m) => void seen.push(text(m)));
      await eventually('the group to finish the first topic', () => seen.length === 6, settleMs * 3);
      await member.close();

      const missing = name('missing');
      const offsets = await fixture.admin.topicOffsets([topic, other, missing]);
      expect([...offsets.keys()].sort()).toEqual([topic, other].sort());
      for (const [name, count, partitions] of [
        [topic, 6, PARTITIONS],
        [other, 3, 2],
      ] as const) {
        const { earliest, latest } = offsets.get(name) ?? {
          earliest: new Map<number, bigint>(),
          latest: new Map<number, bigint>(),
        };
        expect([...latest.keys()].sort()).toEqual(Array.from({ length: partitions }, (_, p) => p));
        expect(latest).toEqual(await fixture.admin.endOffsets(name));
        expect(earliest).toEqual(await fixture.admin.startOffsets(name));
        const retained = [...latest].reduce((sum, [p, end]) => sum + end - (earliest.get(p) ?? 0n), 0n);
        expect(retained).toBe(BigInt(count));
      }

      const never = name('group');
      const committed = await fixture.admin.groupOffsets([
        { groupId, topics: [topic, other] },
        { groupId: never, topics: [topic] },
      ]);
      // Every partition that holds a message is committed to its end; the other topic not at all.
      const ends = offsets.get(topic)?.latest ?? new Map<number, bigint>();
      const starts = offsets.get(topic)?.earliest ?? new Map<number, bigint>();
      const withMessages = [...ends].filter(([p, end]) => end > (starts.get(p) ?? 0n));
      expect([...(committed.get(groupId)?.keys() ?? [])]).toEqual([topic]);
      for (const [p, end] of withMessages) expect(committed.get(groupId)?.get(topic)?.get(p)).toBe(end);
      expect(committed.get(groupId)?.get(topic)).toEqual(
        await fixture.admin.committedOffsets(groupId, [topic]).then((c) => c.get(topic)),
      );
      expect(committed.get(never)?.size).toBe(0);
    });

    it('stops a subscription whose handler rejects, leaving that message for the group', async () => {
      const groupId = name('group');
      const key = 'repo-failing';
      const failure = new Error('handler broke');
      const first = await subscribe(fixture.bus, groupId, async (message) => {
        if (text(message) === 'm1') throw failure;
      });
      await produce(3, () => key);
      await expect(first.done).rejects.toBe(failure);

      const seen: string[] = [];
      await subscribe(await secondBus(), groupId, async (m) => void seen.push(text(m)));
      await eventually('m1 and m2 redelivered', () => seen.length === 2, settleMs * 3);
      expect(seen).toEqual(['m1', 'm2']);
    });

    it('rebalances when a member joins and when it leaves', async () => {
      const groupId = name('group');
      const seen = new Set<string>();
      const handler: MessageHandler = async (m) => void seen.add(text(m));
      const first = await subscribe(fixture.bus, groupId, handler);
      await eventually(
        'the only member to own every partition',
        async () => (await ownedPartitions(first)).length === PARTITIONS,
        settleMs * 3,
      );

      const second = await subscribe(await secondBus(), groupId, handler);
      await eventually(
        'the partitions to be split between both members',
        async () => {
          const a = await ownedPartitions(first);
          const b = await ownedPartitions(second);
          return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === '0,1,2,3,4';
        },
        settleMs * 3,
      );
      await produce(50, (i) => `repo-${i}`);
      await eventually('messages while both are members', () => seen.size === 50, settleMs * 3);

      await second.close();
      await eventually(
        'the remaining member to own every partition again',
        async () => (await ownedPartitions(first)).length === PARTITIONS,
        settleMs * 3,
      );
      seen.clear();
      await produce(50, (i) => `repo-${i}`);
      await eventually('messages after the member left', () => seen.size === 50, settleMs * 3);
    });

    it('closes gracefully: in-flight work finishes and is committed, close is safe twice', async () => {
      const groupId = name('group');
      const release = gate();
      let started = false;
      let finished = false;
      const subscription = await subscribe(fixture.bus, groupId, async () => {
        started = true;
        await release.promise;
        finished = true;
      });
      await produce(1, () => 'repo-slow');
      await eventually('the handler to start', () => started, settleMs * 3);
      const closing = subscription.close({ graceMs: 10_000 });
      await delay(100);
      release.open();
      await closing;
      await subscription.close();
      await expect(subscription.done).resolves.toBeUndefined();
      expect(finished).toBe(true);

      const partition = partitionForKey('repo-slow', PARTITIONS);
      const committed = await fixture.admin.committedOffsets(groupId, [topic]);
      const end = (await fixture.admin.endOffsets(topic)).get(partition);
      expect(committed.get(topic)?.get(partition)).toBe(end);
    });

    it('aborts handlers that outlive the grace period and does not commit them', async () => {
      const groupId = name('group');
      let aborted = false;
      let started = false;
      const subscription = await subscribe(fixture.bus, groupId, async (_message, { signal }) => {
        started = true;
        await new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        );
      });
      await produce(1, () => 'repo-hung');
      await eventually('the handler to start', () => started, settleMs * 3);
      await subscription.close({ graceMs: 200 });
      expect(aborted).toBe(true);
      const partition = partitionForKey('repo-hung', PARTITIONS);
      const committed = await fixture.admin.committedOffsets(groupId, [topic]);
      const start = (await fixture.admin.startOffsets(topic)).get(partition) ?? 0n;
      expect(committed.get(topic)?.get(partition) ?? start).toBe(start);
    });

    it('closes the whole bus idempotently', async () => {
      const bus = await fixture.newBus();
      await bus.subscribe({ groupId: name('group'), topics: [topic], handler: async () => undefined });
      await bus.close();
      await bus.close();
    });
  });
}
