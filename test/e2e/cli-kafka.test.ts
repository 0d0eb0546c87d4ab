/** `repolens topics ensure|describe` and `repolens dlq …` against the real cluster. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import { encodeMessage, Headers, Topics, type TaskMessage } from '../../src/contracts/index.js';
import { RepolensError } from '../../src/domain/errors.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus } from '../../src/ports/message-bus.js';
import { buildDeadLetter } from '../../src/runtime/dead-letter.js';
import { createNamespace, namespacedAdmin, namespacedBus } from '../../src/runtime/namespace.js';
import { runCli } from '../support/cli.js';
import { kafkaBrokers, uniqueName } from '../support/kafka.js';

describe('repolens topics and dlq on Kafka', () => {
  const prefix = `${uniqueName('cli')}.`;
  const flags = ['--brokers', kafkaBrokers().join(','), '--topic-prefix', prefix];
  let bus: MessageBus;
  let admin: BusAdmin;
  let rawBus: MessageBus;
  let rawAdmin: BusAdmin;

  beforeAll(() => {
    rawBus = createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName('cli-test') });
    rawAdmin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('cli-test-admin') });
    const namespace = createNamespace(prefix);
    bus = namespacedBus(rawBus, namespace);
    admin = namespacedAdmin(rawAdmin, namespace);
  });

  afterAll(async () => {
    await rawBus.close();
    await rawAdmin.close();
  });

  it('ensure creates every topic of the plan, and a second run changes nothing', async () => {
    const first = await runCli(['topics', 'ensure', '--json', ...flags], { timeoutMs: 120_000 });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { brokerCount: number; topics: { name: string; action: string }[] };
    expect(report.brokerCount).toBe(3);
    expect(report.topics).toHaveLength(13);
    expect(report.topics.every((t) => t.action === 'created')).toBe(true);

    const second = await runCli(['topics', 'ensure', '--json', ...flags], { timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as { topics: { action: string }[] };
    expect(again.topics.every((t) => t.action === 'unchanged')).toBe(true);
  });

  it('describe prints what the cluster has, matching the plan', async () => {
    const described = await runCli(['topics', 'describe', '--json', ...flags]);
    const planned = await runCli(['topics', 'plan', '--json']);
    expect(described.code).toBe(0);
    const actual = JSON.parse(described.stdout) as {
      name: string;
      partitions: number;
      replication_factor: number;
      config: Record<string, string>;
    }[];
    const plan = JSON.parse(planned.stdout) as {
      name: string;
      partitions: number;
      replication_factor: number;
      config: Record<string, string>;
    }[];
    expect(actual.map((t) => t.name)).toEqual(plan.map((t) => t.name));
    for (const [index, topic] of plan.entries()) {
      expect(actual[index]?.partitions).toBe(topic.partitions);
      expect(actual[index]?.replication_factor).toBe(3);
      expect(actual[index]?.config).toMatchObject(topic.config);
    }
  });

  it('ensure corrects a drifted retention', async () => {
    await admin.alterTopicConfig(Topics.status, { 'retention.ms': '1000' });
    const result = await runCli(['topics', 'ensure', ...flags], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/repository\.status\s+updated\s+retention\.ms 1000 -> 2592000000/);
    const [status] = await admin.describeTopics([Topics.status]);
    expect(status?.config['retention.ms']).toBe('2592000000');
  });

  it('dlq list, show, replay and purge', async () => {
    const url = 'https://example.test/acme/dead';
    const task: TaskMessage = {
      task_id: randomUUID(),
      repository_url: url,
      task_type: 'load_rag',
      created_at: new Date().toISOString(),
      status: 'completed',
      metadata: { priority: 2, retry_count: 3, last_error: 'timeout' },
    };
    await bus.produce([
      buildDeadLetter({
        received: {
          topic: Topics.tasks,
          partition: 1,
          offset: 42n,
          key: Buffer.from(url),
          value: encodeMessage(Topics.tasks, task),
          headers: {},
          timestamp: Date.now(),
        },
        groupId: 'task-consumers',
        service: 'analysis',
        attempt: 4,
        error: new RepolensError('REPOLENS_UNAVAILABLE', 'embedding service unavailable', { retryable: true }),
        failedAt: Date.now(),
      }),
    ]);

    const list = await runCli(['dlq', 'list', '--json', ...flags]);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as {
      id: string;
      originalTopic: string;
      attempt: number;
      errorCode: string;
      key: string;
    }[];
    expect(entries).toHaveLength(1);
    const [entry] = entries as [(typeof entries)[0]];
    expect(entry).toMatchObject({
      originalTopic: Topics.tasks,
      attempt: 4,
      errorCode: 'REPOLENS_UNAVAILABLE',
      key: url,
    });
    expect(entry.id).toMatch(/^repository\.dlq:\d+:\d+$/);

    const table = await runCli(['dlq', 'list', ...flags]);
    expect(table.stdout).toContain(entry.id);
    expect(table.stdout).toContain('embedding service unavailable');

    const show = await runCli(['dlq', 'show', entry.id, ...flags]);
    expect(show.code).toBe(0);
    const record = JSON.parse(show.stdout) as { value: string; headers: Record<string, string> };
    expect(JSON.parse(record.value)).toEqual(task);
    expect(record.headers[Headers.originalOffset]).toBe('42');

    const missing = await runCli(['dlq', 'show', 'repository.dlq:0:999999', ...flags]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no DLQ record repository\.dlq:0:999999/);
    const malformed = await runCli(['dlq', 'show', 'nonsense', ...flags]);
    expect(malformed.stderr).toMatch(/"nonsense" is not a DLQ id/);

    const replay = await runCli(['dlq', 'replay', entry.id, ...flags]);
    expect(replay.stdout).toContain(`replayed 1 message(s): ${entry.id}`);
    const replayed = await admin.readMessages(Topics.tasks);
    expect(replayed).toHaveLength(1);
    const body = JSON.parse(replayed[0]?.value.toString() ?? '{}') as TaskMessage;
    expect(body.task_id).toBe(task.task_id);
    expect(body.metadata).toEqual({ priority: 2, retry_count: 0 });
    expect(replayed[0]?.headers[Headers.errorCode]).toBeUndefined();

    const purge = await runCli(['dlq', 'purge', '--before', new Date(Date.now() + 60_000).toISOString(), ...flags]);
    expect(purge.stdout).toMatch(/purged 1 message/);
    const after = await runCli(['dlq', 'list', ...flags]);
    expect(after.stdout).toContain('the dead-letter queue is empty');
  });

  it('says clearly when no brokers are configured', async () => {
    const result = await runCli(['dlq', 'list'], { env: { REPOLENS_BROKERS: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no Kafka brokers configured: pass --brokers/);
  });
});
