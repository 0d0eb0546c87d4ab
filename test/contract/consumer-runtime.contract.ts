/**
 * The consumer runtime's retry and dead-letter behaviour (DESIGN.md §1), run against every bus
 * adapter: tiers with due times, retry counts in the body or headers, the DLQ record's headers,
 * invalid input dead-lettered without blocking the partition, and replay.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConsumerGroups,
  DLQ_HEADERS,
  Headers,
  Topics,
  encodeMessage,
  type StatusMessage,
  type TaskMessage,
} from '../../src/contracts/index.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { silentLogger } from '../../src/adapters/system/silent-logger.js';
import { ErrorCodes, RepolensError } from '../../src/domain/errors.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus, ReceivedMessage } from '../../src/ports/message-bus.js';
import { createDlqTools } from '../../src/runtime/dlq-tools.js';
import {
  startConsumer,
  type HandlingEvent,
  type MessageRoute,
  type RunningConsumer,
} from '../../src/runtime/message-consumer.js';
import { createNamespace, namespacedAdmin, namespacedBus } from '../../src/runtime/namespace.js';
import { ensureTopics } from '../../src/runtime/topic-provisioning.js';
import { eventually } from '../support/wait.js';
import type { BusFixture } from './message-bus.contract.js';

const RETRY_DELAYS_MS = [300, 600, 900];

function task(url: string, overrides: Partial<TaskMessage> = {}): TaskMessage {
  return {
    task_id: randomUUID(),
    repository_url: url,
    task_type: 'clone',
    created_at: new Date().toISOString(),
    status: 'completed',
    metadata: { priority: 3, retry_count: 0 },
    ...overrides,
  };
}

function unavailable(): RepolensError {
  return new RepolensError(ErrorCodes.unavailable, 'database unavailable', { retryable: true });
}

export function describeConsumerRuntimeContract(
  adapter: string,
  setup: () => Promise<BusFixture>,
  settleMs = 10_000,
): void {
  describe(`consumer runtime (retries, DLQ): ${adapter}`, () => {
    let fixture: BusFixture;
    let bus: MessageBus;
    let admin: BusAdmin;
    let consumer: RunningConsumer | undefined;
    let events: HandlingEvent[];

    async function run<T extends typeof Topics.tasks | typeof Topics.status>(
      topic: T,
      groupId: string,
      route: MessageRoute<T>,
    ): Promise<void> {
      consumer = await startConsumer(
        { topic, groupId: groupId as never, routes: [route] },
        {
          bus,
          clock: systemClock,
          logger: silentLogger,
          retryDelaysMs: RETRY_DELAYS_MS,
          concurrency: 2,
          observer: { handled: (event) => void events.push(event) },
        },
      );
    }

    async function dlqRecords(): Promise<ReceivedMessage[]> {
      return admin.readMessages(Topics.dlq);
    }

    beforeEach(async () => {
      fixture = await setup();
      const namespace = createNamespace(`rt-${randomUUID().slice(0, 8)}.`);
      bus = namespacedBus(fixture.bus, namespace);
      admin = namespacedAdmin(fixture.admin, namespace);
      await ensureTopics(admin);
      events = [];
    });

    afterEach(async () => {
      await consumer?.close(0);
      consumer = undefined;
      await fixture.close();
    });

    it('retries a transient failure through the tiers, respecting due times, until it succeeds', async () => {
      const calls: { at: number; retryCount: number; attempt: number }[] = [];
      await run(Topics.tasks, ConsumerGroups.tasks, {
        service: 'test-service',
        accepts: () => true,
        handle: async (message, context) => {
          calls.push({ at: Date.now(), retryCount: message.metadata.retry_count, attempt: context.attempt });
          if (calls.length < 3) throw unavailable();
        },
      });
      const url = 'https://example.test/acme/flaky';
      await bus.produce([{ topic: Topics.tasks, key: url, value: encodeMessage(Topics.tasks, task(url)) }]);
      await eventually(
        'three attempts',
        () => calls.length === 3 && events.some((e) => e.outcome === 'success'),
        settleMs * 3,
      );

      expect(calls.map((c) => c.retryCount)).toEqual([0, 1, 2]);
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      const [first, second, third] = calls as [(typeof calls)[0], (typeof calls)[0], (typeof calls)[0]];
      expect(second.at - first.at).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0] as number);
      expect(third.at - second.at).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[1] as number);
      expect(events.filter((e) => e.outcome === 'success')).toHaveLength(1);
      expect(events.filter((e) => e.outcome === 'retried').map((e) => e.tier)).toEqual([0, 1]);
      expect(await dlqRecords()).toHaveLength(0);
    });

    it('dead-letters after the third retry with every DLQ header, and replay completes it', async () => {
      let healthy = false;
      const attempts: number[] = [];
      const gaveUp: string[] = [];
      const completed: TaskMessage[] = [];
      await run(Topics.tasks, ConsumerGroups.tasks, {
        service: 'test-service',
        accepts: () => true,
        handle: async (message, context) => {
          attempts.push(context.attempt);
          if (!healthy) throw unavailable();
          completed.push(message);
        },
        onGiveUp: async (message, giveUp) => void gaveUp.push(`${message.task_id}:${giveUp.code}:${giveUp.attempt}`),
      });
      const url = 'https://example.test/acme/broken';
      const original = task(url);
      await bus.produce([
        {
          topic: Topics.tasks,
          key: url,
          value: encodeMessage(Topics.tasks, original),
          headers: { [Headers.runId]: 'run-1' },
        },
      ]);
      await eventually('the DLQ record', async () => (await dlqRecords()).length === 1, settleMs * 3);

      expect(attempts).toEqual([1, 2, 3, 4]);
      expect(gaveUp).toEqual([`${original.task_id}:${ErrorCodes.unavailable}:4`]);
      const [record] = (await dlqRecords()) as [ReceivedMessage];
      expect(record.key?.toString()).toBe(url);
      for (const header of DLQ_HEADERS) {
        expect(record.headers[header], header).toBeTruthy();
      }
      expect(record.headers[Headers.originalTopic]).toBe(Topics.tasks);
      expect(record.headers[Headers.attempt]).toBe('4');
      expect(record.headers[Headers.errorCode]).toBe(ErrorCodes.unavailable);
      expect(record.headers[Headers.errorMessage]).toBe('database unavailable');
      expect(record.headers[Headers.service]).toBe('test-service');
      expect(record.headers[Headers.runId]).toBe('run-1');
      expect((JSON.parse(record.value.toString()) as TaskMessage).metadata.retry_count).toBe(3);

      healthy = true;
      const replayed = await createDlqTools({ admin, bus }).replay({
        ids: [`${Topics.dlq}:${record.partition}:${record.offset}`],
      });
      expect(replayed).toHaveLength(1);
      await eventually('the replayed task to complete', () => completed.length === 1, settleMs * 3);
      expect(completed[0]?.task_id).toBe(original.task_id);
      expect(completed[0]?.metadata.retry_count).toBe(0);
    });

    it('dead-letters a permanent failure at once, without retries', async () => {
      let calls = 0;
      const gaveUp: number[] = [];
      await run(Topics.tasks, ConsumerGroups.tasks, {
        service: 'test-service',
        accepts: () => true,
        handle: async () => {
          calls++;
          throw new RepolensError('REPOLENS_REPOSITORY_NOT_FOUND', 'repository not found');
        },
        onGiveUp: async (_m, giveUp) => void gaveUp.push(giveUp.attempt),
      });
      const url = 'https://example.test/acme/missing';
      await bus.produce([{ topic: Topics.tasks, key: url, value: encodeMessage(Topics.tasks, task(url)) }]);
      await eventually('the DLQ record', async () => (await dlqRecords()).length === 1, settleMs * 3);
      expect(calls).toBe(1);
      expect(gaveUp).toEqual([1]);
      expect((await dlqRecords())[0]?.headers[Headers.errorCode]).toBe('REPOLENS_REPOSITORY_NOT_FOUND');
    });

    it('dead-letters garbage, a wrong schema and an oversized message, and still handles the valid one behind them', async () => {
      const handled: string[] = [];
      await run(Topics.tasks, ConsumerGroups.tasks, {
        service: 'test-service',
        accepts: () => true,
        handle: async (message) => void handled.push(message.task_id),
      });
      const url = 'https://example.test/acme/poison';
      const valid = task(url);
      const oversized = Buffer.from(JSON.stringify({ ...task(url), padding: 'x'.repeat(2 * 1024 * 1024) }));
      // Raw bytes straight onto the topic, as a foreign producer would write them.
      await bus.produce([
        { topic: Topics.tasks, key: url, value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]) },
        { topic: Topics.tasks, key: url, value: Buffer.from(JSON.stringify({ ...task(url), task_type: 'compile' })) },
        { topic: Topics.tasks, key: url, value: oversized },
        { topic: Topics.tasks, key: url, value: encodeMessage(Topics.tasks, valid) },
      ]);
      await eventually('the valid message', () => handled.length === 1, settleMs * 3);
      expect(handled).toEqual([valid.task_id]);
      await eventually('three DLQ records', async () => (await dlqRecords()).length === 3, settleMs * 3);
      const records = await dlqRecords();
      expect(records.map((r) => r.headers[Headers.errorCode])).toEqual([
        ErrorCodes.contractInvalid,
        ErrorCodes.contractInvalid,
        'REPOLENS_MESSAGE_TOO_LARGE',
      ]);
      expect(records[0]?.value).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]));
      expect(records[1]?.headers[Headers.errorMessage]).toMatch(/task_type/);
      expect(records[2]?.value.length).toBe(oversized.length);
      expect(records.every((r) => r.headers[Headers.attempt] === '1')).toBe(true);
    });

    it('keeps retry bookkeeping in headers for topics without metadata', async () => {
      const seen: (string | undefined)[] = [];
      await run(Topics.status, ConsumerGroups.status, {
        service: 'database',
        accepts: () => true,
        handle: async (_message, context) => {
          seen.push(context.headers[Headers.retryCount]);
          if (seen.length === 1) throw unavailable();
        },
      });
      const url = 'https://example.test/acme/status';
      const status: StatusMessage = {
        repository_url: url,
        status: 'cloning',
        timestamp: new Date().toISOString(),
        details: { stage_duration: 0, progress: 0 },
      };
      await bus.produce([{ topic: Topics.status, key: url, value: encodeMessage(Topics.status, status) }]);
      await eventually('the retry', () => seen.length === 2, settleMs * 3);
      expect(seen).toEqual([undefined, '1']);
    });

    it('skips messages no route accepts, committing them', async () => {
      const handled: string[] = [];
      await run(Topics.tasks, ConsumerGroups.tasks, {
        service: 'test-service',
        accepts: (message) => message.status === 'completed',
        handle: async (message) => void handled.push(message.status),
      });
      const url = 'https://example.test/acme/skip';
      await bus.produce([
        { topic: Topics.tasks, key: url, value: encodeMessage(Topics.tasks, task(url, { status: 'in_progress' })) },
        { topic: Topics.tasks, key: url, value: encodeMessage(Topics.tasks, task(url)) },
      ]);
      await eventually('the accepted message', () => handled.length === 1, settleMs * 3);
      expect(events.map((e) => e.outcome)).toEqual(['skipped', 'success']);
    });
  });
}
