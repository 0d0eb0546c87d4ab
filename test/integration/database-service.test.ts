/**
 * The Database Service on the real cluster and PostgreSQL: a stream of 5,000 status messages for
 * 500 repositories, with duplicates and out-of-order timestamps, yields exactly the expected
 * current rows and history; connections dropped mid-stream lose nothing and store nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import { createPostgresStore } from '../../src/adapters/store-postgres/index.js';
import { silentLogger } from '../../src/adapters/system/silent-logger.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { encodeMessage, RepositoryStatuses, Topics, type StatusMessage } from '../../src/contracts/index.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus, OutgoingMessage } from '../../src/ports/message-bus.js';
import type { Store } from '../../src/ports/store.js';
import { startConsumer, type HandlingEvent, type RunningConsumer } from '../../src/runtime/message-consumer.js';
import { createNamespace, namespacedAdmin, namespacedBus } from '../../src/runtime/namespace.js';
import { ensureTopics } from '../../src/runtime/topic-provisioning.js';
import { databaseConsumer } from '../../src/services/database/database-service.js';
import { kafkaBrokers, uniqueName } from '../support/kafka.js';
import { createTestSchema, databaseUrl, withPool, type TestSchema } from '../support/postgres.js';
import { eventually } from '../support/wait.js';

const REPOSITORIES = 500;
const T0 = Date.parse('2026-11-01T00:00:00Z');

interface Plan {
  readonly messages: OutgoingMessage[];
  /** Distinct messages per repository (what the history must hold). */
  readonly distinct: Map<string, number>;
  /** The newest message per repository (what the current row must show). */
  readonly newest: Map<string, StatusMessage>;
}

/**
 * Repository r goes through (r % 4) + 1 stages, each with a start and an end message; every
 * tenth fails in its last stage. Every repository also gets two extra deliveries: one exact
 * duplicate, and (for odd r) its two newest messages swapped, so the newest arrives first.
 */
function planStream(): Plan {
  const messages: OutgoingMessage[] = [];
  const distinct = new Map<string, number>();
  const newest = new Map<string, StatusMessage>();
  for (let r = 0; r < REPOSITORIES; r++) {
    const url = `https://git.example.test/org/repo-${r}`;
    const stages = RepositoryStatuses.slice(0, (r % 4) + 1);
    const own: StatusMessage[] = [];
    stages.forEach((status, s) => {
      const last = s === stages.length - 1;
      const failing = last && r % 10 === 9;
      own.push({
        repository_url: url,
        status,
        timestamp: new Date(T0 + r * 60_000 + s * 2_000).toISOString(),
        details: { stage_duration: 0, progress: 0 },
      });
      own.push({
        repository_url: url,
        status,
        timestamp: new Date(T0 + r * 60_000 + s * 2_000 + 1_000).toISOString(),
        details: failing
          ? { stage_duration: 700, progress: 40, error: `stage ${status} failed for repo-${r}` }
          : { stage_duration: 900 + s, progress: 100 },
      });
    });
    distinct.set(url, own.length);
    newest.set(url, own.at(-1) as StatusMessage);
    const order = [...own];
    if (r % 2 === 1 && order.length >= 2)
      order.splice(-2, 2, order.at(-1) as StatusMessage, order.at(-2) as StatusMessage);
    const deliveries = [...order, own[0] as StatusMessage];
    // Pad every repository to 10 deliveries with duplicates of its first message.
    while (deliveries.length < 10) deliveries.push(own[0] as StatusMessage);
    for (const message of deliveries)
      messages.push({ topic: Topics.status, key: url, value: encodeMessage(Topics.status, message) });
  }
  return { messages, distinct, newest };
}

describe('Database Service on Kafka and PostgreSQL', () => {
  let rawBus: MessageBus;
  let rawAdmin: BusAdmin;
  let bus: MessageBus;
  let admin: BusAdmin;
  let schema: TestSchema;
  let store: Store;
  let consumer: RunningConsumer | undefined;
  let applicationName: string;
  const events: HandlingEvent[] = [];

  beforeEach(async () => {
    rawBus = createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName('db-service') });
    rawAdmin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('db-service-admin') });
    const namespace = createNamespace(`${uniqueName('db')}.`);
    bus = namespacedBus(rawBus, namespace);
    admin = namespacedAdmin(rawAdmin, namespace);
    await ensureTopics(admin);
    schema = await createTestSchema('dbsvc');
    applicationName = `repolens-test-${randomUUID().slice(0, 8)}`;
    store = createPostgresStore({
      connectionString: databaseUrl(),
      schema: schema.schema,
      applicationName,
      connectTimeoutMs: 2_000,
    });
    await store.migrate();
    events.length = 0;
    consumer = await startConsumer(databaseConsumer({ store, logger: silentLogger }), {
      bus,
      clock: systemClock,
      logger: silentLogger,
      retryDelaysMs: [200, 500, 1_000],
      concurrency: 16,
      observer: { handled: (event) => void events.push(event) },
    });
  });

  afterEach(async () => {
    await consumer?.close(1_000);
    await store.close();
    await schema.drop();
    await rawBus.close();
    await rawAdmin.close();
  });

  async function expectStoredExactly(plan: Plan): Promise<void> {
    const page = await store.listRepositories({ limit: 1_000, offset: 0 });
    expect(page.total).toBe(REPOSITORIES);
    for (const [url, expected] of plan.newest) {
      const detail = await store.getRepository(url, { historyLimit: 1_000 });
      expect(detail?.status, url).toBe(expected.status);
      expect(detail?.progress, url).toBe(expected.details.progress);
      expect(detail?.state, url).toBe(expected.details.error === undefined ? expected.status : 'failed');
      expect(detail?.lastError ?? undefined, url).toBe(expected.details.error);
      expect(detail?.history, url).toHaveLength(plan.distinct.get(url) as number);
    }
    const counts = await store.countByStatus();
    const expectedCounts = new Map<string, number>();
    for (const message of plan.newest.values()) {
      const state = message.details.error === undefined ? message.status : 'failed';
      expectedCounts.set(state, (expectedCounts.get(state) ?? 0) + 1);
    }
    for (const [state, count] of expectedCounts) expect(counts[state as keyof typeof counts], state).toBe(count);
  }

  it('stores 5,000 messages for 500 repositories with duplicates and out-of-order timestamps exactly', async () => {
    const plan = planStream();
    expect(plan.messages).toHaveLength(5_000);
    await bus.produce(plan.messages);
    await eventually(
      'every message handled',
      () => events.filter((e) => e.outcome === 'success').length >= 5_000,
      120_000,
      250,
    );
    await expectStoredExactly(plan);
    expect(events.filter((e) => e.outcome === 'dead-lettered')).toEqual([]);
  }, 240_000);

  it('loses nothing and stores nothing twice when its database connections are dropped mid-stream', async () => {
    const plan = planStream();
    const half = plan.messages.length / 2;
    await bus.produce(plan.messages.slice(0, half));
    const stopDropping = dropConnectionsRepeatedly(applicationName);
    try {
      await bus.produce(plan.messages.slice(half));
      await eventually(
        'some handlers to hit the outage',
        () => events.some((e) => e.outcome === 'retried'),
        60_000,
        100,
      );
    } finally {
      await stopDropping();
    }
    await eventually(
      'every message handled',
      () => events.filter((e) => e.outcome === 'success').length >= 5_000,
      180_000,
      250,
    );
    const retried = events.filter((e) => e.outcome === 'retried').length;
    process.stdout.write(`database outage: ${retried} handlings retried through the tiers, none dead-lettered\n`);
    expect(events.filter((e) => e.outcome === 'dead-lettered')).toEqual([]);
    await expectStoredExactly(plan);
  }, 300_000);
});

/** Terminates the store's PostgreSQL sessions every 100 ms until stopped. */
function dropConnectionsRepeatedly(applicationName: string): () => Promise<void> {
  let stopped = false;
  const loop = withPool(databaseUrl(), async (pool) => {
    const deadline = Date.now() + 30_000;
    while (!stopped && Date.now() < deadline) {
      await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        applicationName,
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return async () => {
    stopped = true;
    await loop;
  };
}
