import { describe, expect, it } from 'vitest';
import {
  CONSUMER_GROUP_SPECS,
  DEFAULT_RETRY_DELAYS_MS,
  MAX_RETRIES,
  planTopics,
  retryGroupId,
  RETRY_TIERS,
} from '../../../src/contracts/index.js';

const DAY_MS = 86_400_000;

describe('topic plan', () => {
  const plan = planTopics();
  const byName = new Map(plan.topics.map((t) => [t.name, t]));

  it.each([
    ['repository.discovery', 3, 7],
    ['repository.tasks', 5, 14],
    ['repository.status', 3, 30],
    ['repository.dlq', 5, 30],
  ])('%s: %i partitions, %i days, 3 replicas, min ISR 2', (name, partitions, days) => {
    expect(byName.get(name)).toEqual({
      name,
      partitions,
      replication_factor: 3,
      config: { 'retention.ms': String(days * DAY_MS), 'min.insync.replicas': '2', 'max.message.bytes': '4194304' },
    });
  });

  it('adds three retry tiers per consumed topic, mirroring the source topic', () => {
    for (const source of ['repository.discovery', 'repository.tasks', 'repository.status']) {
      for (const suffix of ['1m', '5m', '15m']) {
        const tier = byName.get(`${source}.retry.${suffix}`);
        expect(tier?.partitions).toBe(byName.get(source)?.partitions);
        expect(tier?.config['retention.ms']).toBe(byName.get(source)?.config['retention.ms']);
      }
    }
    expect(plan.topics).toHaveLength(4 + 9);
    expect(plan.warning).toBeUndefined();
  });

  it('drops replication to the broker count on small clusters, with a warning', () => {
    const single = planTopics(1);
    expect(single.topics.every((t) => t.replication_factor === 1 && t.config['min.insync.replicas'] === '1')).toBe(
      true,
    );
    expect(single.warning).toMatch(/replication factor 1/);
    expect(planTopics(5).topics.every((t) => t.replication_factor === 3)).toBe(true);
    expect(() => planTopics(0)).toThrow(RangeError);
  });
});

describe('retry policy and groups', () => {
  it('has the seed retry policy: 3 retries at 1, 5 and 15 minutes', () => {
    expect(MAX_RETRIES).toBe(3);
    expect(DEFAULT_RETRY_DELAYS_MS).toEqual([60_000, 300_000, 900_000]);
  });

  it('has the seed consumer groups and their topics', () => {
    expect(CONSUMER_GROUP_SPECS.map((g) => [g.groupId, g.topic])).toEqual([
      ['discovery-consumers', 'repository.discovery'],
      ['task-consumers', 'repository.tasks'],
      ['status-consumers', 'repository.status'],
    ]);
    expect(retryGroupId('task-consumers', RETRY_TIERS[2])).toBe('task-consumers.retry.15m');
  });
});

describe('DLQ headers', () => {
  it('are exactly the ones DESIGN.md §1 lists', async () => {
    const { DLQ_HEADERS } = await import('../../../src/contracts/index.js');
    expect([...DLQ_HEADERS].sort()).toEqual(
      [
        'x-original-topic',
        'x-original-partition',
        'x-original-offset',
        'x-original-timestamp',
        'x-consumer-group',
        'x-service',
        'x-attempt',
        'x-error-code',
        'x-error-message',
        'x-error-stack',
        'x-failed-at',
      ].sort(),
    );
  });
});
