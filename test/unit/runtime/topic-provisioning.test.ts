import { describe, expect, it } from 'vitest';
import { createMemoryBroker, createMemoryBusAdmin } from '../../../src/adapters/bus-memory/index.js';
import { planTopics } from '../../../src/contracts/topics.js';
import { assertNoRefusals, ensureTopics } from '../../../src/runtime/topic-provisioning.js';

describe('ensureTopics', () => {
  it('creates every planned topic, then finds nothing to change on a second run', async () => {
    const admin = createMemoryBusAdmin(createMemoryBroker());
    const first = await ensureTopics(admin);
    expect(first.topics.every((t) => t.action === 'created')).toBe(true);
    expect(first.topics).toHaveLength(13);
    expect(first.warning).toMatch(/replication factor 1/);
    const described = await admin.describeTopics(first.topics.map((t) => t.name));
    const plan = planTopics(1);
    for (const planned of plan.topics) {
      const actual = described.find((d) => d.name === planned.name);
      expect(actual?.partitions).toBe(planned.partitions);
      expect(actual?.config['retention.ms']).toBe(planned.config['retention.ms']);
    }
    const second = await ensureTopics(admin);
    expect(second.topics.every((t) => t.action === 'unchanged')).toBe(true);
  });

  it('corrects drifted retention and raises a partition count', async () => {
    const admin = createMemoryBusAdmin(createMemoryBroker());
    await admin.createTopics([
      { name: 'repository.tasks', partitions: 2, replicationFactor: 1, config: { 'retention.ms': '1000' } },
    ]);
    const report = await ensureTopics(admin);
    const tasks = report.topics.find((t) => t.name === 'repository.tasks');
    expect(tasks?.action).toBe('updated');
    expect(tasks?.partitions).toEqual({ from: 2, to: 5 });
    expect(tasks?.configChanges).toContainEqual({ key: 'retention.ms', from: '1000', to: String(14 * 86_400_000) });
    const [described] = await admin.describeTopics(['repository.tasks']);
    expect(described?.partitions).toBe(5);
    expect(described?.config['retention.ms']).toBe(String(14 * 86_400_000));
    expect(() => assertNoRefusals(report)).not.toThrow();
  });

  it('refuses to shrink partitions, with a message naming the topic and why', async () => {
    const admin = createMemoryBusAdmin(createMemoryBroker());
    await admin.createTopics([{ name: 'repository.status', partitions: 8, replicationFactor: 1, config: {} }]);
    const report = await ensureTopics(admin);
    const status = report.topics.find((t) => t.name === 'repository.status');
    expect(status?.action).toBe('refused');
    expect(() => assertNoRefusals(report)).toThrow(
      /repository.status has 8 partitions, the plan 3: Kafka cannot remove partitions/,
    );
  });
});

describe('ensureTopics with concurrent starters', () => {
  it('a starter that loses the race to create the topics reconciles the ones another made', async () => {
    const broker = createMemoryBroker();
    const admin = createMemoryBusAdmin(broker);
    await ensureTopics(admin); // the winner
    // The loser described the cluster before the winner created the topics (fault injected):
    // its first view is empty, so it tries to create them all and is refused.
    let stale = true;
    const loser = {
      ...admin,
      describeTopics: async (names: readonly string[]) => {
        if (stale) {
          stale = false;
          return [];
        }
        return admin.describeTopics(names);
      },
    };
    const report = await ensureTopics(loser);
    expect(report.topics.every((t) => t.action === 'unchanged')).toBe(true);
    expect(() => assertNoRefusals(report)).not.toThrow();
  });

  it('still fails when creating fails for another reason', async () => {
    const admin = createMemoryBusAdmin(createMemoryBroker());
    const broken = {
      ...admin,
      createTopics: async () => {
        throw new Error('cluster unavailable');
      },
    };
    await expect(ensureTopics(broken)).rejects.toThrow('cluster unavailable');
  });
});
