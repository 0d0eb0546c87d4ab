/**
 * The Kafka bus under broker crashes (kill -9): producing continues on the surviving replicas
 * (min.insync.replicas=2 of 3), and a subscription whose group coordinator or partition leaders
 * died carries on, losing nothing (at least once) and keeping each key's order. Needs a cluster
 * whose brokers the tests may kill (test/support/kafka.ts: kafkaFaultsAvailable).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { FindCoordinatorKeyTypes } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaBus, createKafkaBusAdmin, type BusLogger } from '../../src/adapters/bus-kafka/index.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus, Subscription } from '../../src/ports/message-bus.js';
import {
  createTestAdmin,
  kafkaBrokers,
  kafkaFaultsAvailable,
  killBroker,
  liveBrokerIds,
  restartBroker,
  uniqueName,
} from '../support/kafka.js';
import { eventually } from '../support/wait.js';

const cleanups: (() => Promise<void>)[] = [];

/** BUS_KAFKA_TEST_LOG=1 (or =debug) prints the adapter's log lines (to see what recovery did). */
function testLogger(): BusLogger | undefined {
  if (process.env['BUS_KAFKA_TEST_LOG'] === undefined) return undefined;
  const started = Date.now();
  const print =
    (level: string) =>
    (bindings: Record<string, unknown>, message: string): void => {
      const { err, ...rest } = bindings;
      const reason = err instanceof Error ? ` (${err.message})` : '';
      console.info(
        `+${Date.now() - started}ms ${level} ${message}${reason} ${JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
    };
  const logger: BusLogger = {
    debug: process.env['BUS_KAFKA_TEST_LOG'] === 'debug' ? print('debug') : () => undefined,
    info: print('info'),
    warn: print('warn'),
    error: print('error'),
    child: () => logger,
  };
  return logger;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function bus(sessionTimeoutMs = 6_000): MessageBus {
  const created = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueName('fault-bus'),
    sessionTimeoutMs,
    heartbeatIntervalMs: 1_000,
    rebalanceTimeoutMs: Math.max(10_000, sessionTimeoutMs),
    logger: testLogger(),
  });
  cleanups.push(() => created.close());
  return created;
}

async function coordinatorOf(groupId: string): Promise<number> {
  const admin = createTestAdmin();
  try {
    const [coordinator] = await admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] });
    return coordinator?.nodeId ?? -1;
  } finally {
    await admin.close();
  }
}

/**
 * Consumes a steady stream while the group coordinator's broker is killed. With a session
 * timeout below the broker fencing time (9 s) the member notices first; with a longer one the
 * dead broker leaves the metadata while the member still heartbeats to it (the library crash
 * that client-guards.ts prevents).
 */
async function coordinatorCrash(sessionTimeoutMs: number): Promise<void> {
  {
    const admin: BusAdmin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('fault-admin') });
    cleanups.push(() => admin.close());
    const topic = uniqueName('fault-topic');
    await admin.createTopics([
      { name: topic, partitions: 5, replicationFactor: 3, config: { 'min.insync.replicas': '2' } },
    ]);
    const groupId = uniqueName('fault-group');
    const seen = new Map<string, number[]>();
    const received = new Set<number>();
    let lastReceivedAt = Date.now();
    const subscription: Subscription = await bus(sessionTimeoutMs).subscribe({
      groupId,
      topics: [topic],
      concurrency: 4,
      handler: async (message) => {
        const key = message.key?.toString('utf8') ?? '';
        const seq = Number(message.headers['x-seq']);
        seen.set(key, [...(seen.get(key) ?? []), seq]);
        received.add(seq);
        lastReceivedAt = Date.now();
      },
    });
    subscription.done.catch(() => undefined);

    const producer = bus();
    const total = 600;
    let produced = 0;
    const producing = (async () => {
      for (; produced < total; produced += 20) {
        await producer.produce(
          Array.from({ length: 20 }, (_, j) => ({
            topic,
            key: `repo-${(produced + j) % 13}`,
            value: Buffer.from('x'),
            headers: { 'x-seq': String(produced + j) },
          })),
        );
        await delay(50);
      }
    })();

    await eventually('some messages before the crash', () => received.size >= 100, 30_000);
    const victim = await coordinatorOf(groupId);
    expect(victim).toBeGreaterThan(0);
    const killedAt = Date.now();
    await killBroker(victim, { waitUntilFenced: false });
    cleanups.push(async () => {
      const admin = createTestAdmin();
      try {
        if (!(await liveBrokerIds(admin)).includes(victim)) await restartBroker(victim);
      } finally {
        await admin.close();
      }
    });
    const beforeCrash = received.size;

    await producing;
    const producedAllMs = Date.now() - killedAt;
    await eventually('every message after the crash', () => received.size === total, 90_000, 100);
    const consumedAllMs = Date.now() - killedAt;
    for (const [key, sequence] of seen) {
      const firsts = sequence.filter((value, index) => sequence.indexOf(value) === index);
      expect(firsts, key).toEqual([...firsts].sort((a, b) => a - b));
    }
    const deliveries = [...seen.values()].reduce((n, s) => n + s.length, 0);
    console.info(
      `session ${sessionTimeoutMs} ms, coordinator ${victim} killed with ${beforeCrash}/${total} consumed: producing finished ${producedAllMs} ms later, ` +
        `everything consumed ${consumedAllMs} ms later (last at ${lastReceivedAt - killedAt} ms), ${deliveries - total} redeliveries`,
    );
    expect(subscription.assignments().get(topic)?.length).toBe(5);
    await subscription.close();
    await expect(subscription.done).resolves.toBeUndefined();
  }
}

describe.skipIf(!kafkaFaultsAvailable())('bus-kafka under broker crashes', () => {
  it('keeps consuming, in key order and without loss, when the group coordinator is killed', async () => {
    await coordinatorCrash(6_000);
  }, 180_000);

  it('survives the dead coordinator leaving the metadata while the member still heartbeats to it', async () => {
    await coordinatorCrash(20_000);
  }, 180_000);
});
