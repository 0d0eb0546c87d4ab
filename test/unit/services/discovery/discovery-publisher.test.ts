/**
 * The discovery publisher on the in-process bus and a real store: it publishes valid
 * `repository.discovery` messages keyed by the normalized URL, and skips a repository that is in
 * flight or was analysed recently (unless forced), collapsing duplicates within one call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryBroker,
  createMemoryBusAdmin,
  createMemoryBus,
} from '../../../../src/adapters/bus-memory/index.js';
import { createSqlStore } from '../../../../src/adapters/sql/sql-store.js';
import type { SqlDatabase } from '../../../../src/adapters/sql/index.js';
import { silentLogger } from '../../../../src/adapters/system/silent-logger.js';
import { Headers } from '../../../../src/contracts/headers.js';
import type { RepositoryStatus } from '../../../../src/contracts/status-message.js';
import { Topics } from '../../../../src/contracts/topics.js';
import { decodeMessage } from '../../../../src/contracts/validation.js';
import type { ReceivedMessage } from '../../../../src/ports/message-bus.js';
import type { Store } from '../../../../src/ports/store.js';
import {
  createDiscoveryPublisher,
  type DiscoveryPublisher,
} from '../../../../src/services/discovery/discovery-publisher.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../../../support/sql-database.js';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');

describe.each(TEST_DATABASE_KINDS)('discovery publisher (%s store)', (kind) => {
  let database: SqlDatabase;
  let store: Store;
  let admin: ReturnType<typeof createMemoryBusAdmin>;
  let bus: ReturnType<typeof createMemoryBus>;
  let publisher: DiscoveryPublisher;
  let messageCounter = 0;

  async function record(url: string, status: RepositoryStatus, progress: number, at: number, error?: string) {
    await store.recordStatus(
      {
        repository_url: url,
        status,
        timestamp: new Date(at).toISOString(),
        details: { stage_duration: 5, progress, ...(error === undefined ? {} : { error }) },
      },
      { messageKey: `publisher-test:${messageCounter++}` },
    );
  }

  async function discoveryMessages(): Promise<ReceivedMessage[]> {
    return admin.readMessages(Topics.discovery);
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'discovery_pub');
    store = createSqlStore(database);
    const broker = createMemoryBroker();
    broker.createTopic({ name: Topics.discovery, partitions: 3 });
    admin = createMemoryBusAdmin(broker);
    bus = createMemoryBus(broker);
    publisher = createDiscoveryPublisher({
      bus,
      store,
      clock: { now: () => NOW },
      logger: silentLogger,
      revisitIntervalMs: 7 * DAY_MS,
      allowLocal: false,
    });
  });

  afterAll(async () => {
    await bus?.close();
    await database?.close();
  });

  it('publishes valid messages keyed by the normalized URL, one per repository, highest priority winning', async () => {
    const result = await publisher.publish(
      [
        { url: 'https://GitHub.com/acme/alpha.git', priority: 2, source: 'automatic' },
        { url: 'https://token@github.com/acme/alpha/', priority: 4, source: 'automatic' },
        { url: 'https://github.com/acme/alpha', priority: 1, source: 'manual' },
        { url: 'git@github.com:acme/beta.git', source: 'manual' },
      ],
      { force: false },
    );
    expect(result.rejected).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.published.map((p) => [p.url, p.priority, p.source])).toEqual([
      ['https://github.com/acme/alpha', 4, 'automatic'],
      ['ssh://git@github.com/acme/beta', 3, 'manual'],
    ]);

    const messages = await discoveryMessages();
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      const body = decodeMessage(Topics.discovery, message.value);
      expect(message.key?.toString('utf8')).toBe(body.repository_url);
      expect(body.discovery_timestamp).toBe(new Date(NOW).toISOString());
      expect(message.headers[Headers.runId]).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(body)).not.toContain('token');
    }
    const bodies = messages.map((m) => decodeMessage(Topics.discovery, m.value));
    expect(bodies.find((b) => b.repository_url === 'https://github.com/acme/alpha')).toMatchObject({
      priority: 4,
      source: 'automatic',
    });
  });

  it('rejects unusable URLs and priorities with the reason, never echoing credentials, and publishes the rest', async () => {
    const before = (await discoveryMessages()).length;
    const result = await publisher.publish(
      [
        { url: 'ext::sh -c touch% /tmp/pwned', source: 'manual' },
        { url: 'ftp://alice:hunter2@example.test/a/b', source: 'manual' },
        { url: '/etc', source: 'manual' },
        { url: 'https://github.com/acme/gamma', priority: 9, source: 'manual' },
        { url: 'https://github.com/acme/delta', priority: 5, source: 'manual' },
      ],
      { force: false },
    );
    expect(result.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/remote-helper/),
      expect.stringMatching(/unsupported scheme "ftp"/),
      expect.stringMatching(/local paths are not allowed/),
      expect.stringMatching(/priority must be an integer from 1 to 5/),
    ]);
    expect(result.rejected[1]?.input).toBe('ftp://example.test/a/b');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(result.published.map((p) => p.url)).toEqual(['https://github.com/acme/delta']);
    expect((await discoveryMessages()).length).toBe(before + 1);
  });

  it('skips a repository in flight and one analysed within the revisit interval, unless forced', async () => {
    const inFlight = 'https://github.com/acme/in-flight';
    const recent = 'https://github.com/acme/recent';
    const stale = 'https://github.com/acme/stale';
    const failed = 'https://github.com/acme/failed';
    const stuck = 'https://github.com/acme/stuck';
    const analysing = 'https://github.com/acme/analysing';
    await record(inFlight, 'cloning', 100, NOW - 60_000);
    await record(inFlight, 'file_selection', 40, NOW - 30_000);
    await record(recent, 'analyzed', 100, NOW - 2 * DAY_MS);
    await record(stale, 'analyzed', 100, NOW - 8 * DAY_MS);
    await record(failed, 'rag_loaded', 10, NOW - 60_000, 'embedder down');
    await record(stuck, 'cloning', 50, NOW - 9 * DAY_MS);
    await record(analysing, 'analyzed', 20, NOW - 60_000);

    const urls = [inFlight, recent, stale, failed, stuck, analysing];
    const before = (await discoveryMessages()).length;
    const result = await publisher.publish(
      urls.map((url) => ({ url, source: 'automatic' as const })),
      { force: false },
    );
    const reasons = new Map(result.skipped.map((s) => [s.url, s.reason]));
    expect([...reasons.keys()].sort()).toEqual([analysing, inFlight, recent].sort());
    expect(reasons.get(inFlight)).toMatch(/^in flight \(file_selection 40%/);
    expect(reasons.get(recent)).toMatch(
      /^analysed at 2025-05-30T12:00:00.000Z; due for a revisit at 2025-06-06T12:00:00.000Z/,
    );
    expect(reasons.get(analysing)).toMatch(/^in flight \(analyzed 20%/);
    // Failed runs are retried, old analyses revisited, and a run silent for a whole interval is presumed dead.
    expect(result.published.map((p) => p.url).sort()).toEqual([failed, stale, stuck].sort());
    expect((await discoveryMessages()).length).toBe(before + 3);

    const forced = await publisher.publish(
      [
        { url: inFlight, source: 'manual' },
        { url: recent, source: 'manual' },
      ],
      { force: true },
    );
    expect(forced.skipped).toEqual([]);
    expect(forced.published.map((p) => p.url)).toEqual([inFlight, recent]);
    const keys = (await discoveryMessages()).map((m) => m.key?.toString('utf8'));
    expect(keys.filter((k) => k === inFlight)).toHaveLength(1);
    expect(keys.filter((k) => k === recent)).toHaveLength(1);
  });

  it('dedupes against the same spelling the messages used: another spelling of an in-flight URL is skipped too', async () => {
    const result = await publisher.publish(
      [{ url: 'https://user:pw@GITHUB.com/acme/in-flight.git/', source: 'automatic' }],
      { force: false },
    );
    expect(result.published).toEqual([]);
    expect(result.skipped.map((s) => s.url)).toEqual(['https://github.com/acme/in-flight']);
  });

  it('publishes everything valid when it has no store to dedupe against', async () => {
    const withoutStore = createDiscoveryPublisher({
      bus,
      clock: { now: () => NOW },
      logger: silentLogger,
      allowLocal: false,
    });
    const result = await withoutStore.publish([{ url: 'https://github.com/acme/recent', source: 'manual' }], {
      force: false,
    });
    expect(result.published).toHaveLength(1);
  });
});
