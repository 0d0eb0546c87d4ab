/**
 * `repolens topics ensure`: makes the cluster's topics match the contract's plan. Creates what
 * is missing, corrects drifted configs, raises partition counts, and refuses — with the reason —
 * what Kafka cannot do in place (fewer partitions, another replication factor). Idempotent: a
 * second run finds nothing to change.
 */
import { planTopics, type TopicPlanEntry } from '../contracts/topics.js';
import { RepolensError } from '../domain/errors.js';
import type { BusAdmin, TopicDescription } from '../ports/bus-admin.js';

export interface ConfigChange {
  readonly key: string;
  readonly from: string | undefined;
  readonly to: string;
}

export interface TopicChange {
  readonly name: string;
  readonly action: 'created' | 'updated' | 'unchanged' | 'refused';
  readonly configChanges: readonly ConfigChange[];
  readonly partitions?: { readonly from: number; readonly to: number };
  readonly problems: readonly string[];
}

export interface ProvisionReport {
  readonly brokerCount: number;
  readonly warning?: string;
  readonly topics: readonly TopicChange[];
}

function configDrift(planned: TopicPlanEntry, actual: TopicDescription): ConfigChange[] {
  return Object.entries(planned.config)
    .filter(([key, value]) => actual.config[key] !== value)
    .map(([key, value]) => ({ key, from: actual.config[key], to: value }));
}

async function reconcile(admin: BusAdmin, planned: TopicPlanEntry, actual: TopicDescription): Promise<TopicChange> {
  const problems: string[] = [];
  if (actual.partitions > planned.partitions) {
    problems.push(
      `has ${actual.partitions} partitions, the plan ${planned.partitions}: Kafka cannot remove partitions; ` +
        `recreate the topic (losing its messages) or keep the extra partitions`,
    );
  }
  if (actual.replicationFactor !== planned.replication_factor) {
    problems.push(
      `has replication factor ${actual.replicationFactor}, the plan ${planned.replication_factor}: ` +
        `change it with a partition reassignment (kafka-reassign-partitions)`,
    );
  }
  const configChanges = configDrift(planned, actual);
  if (configChanges.length > 0) {
    await admin.alterTopicConfig(planned.name, Object.fromEntries(configChanges.map((c) => [c.key, c.to])));
  }
  let partitions: TopicChange['partitions'];
  if (actual.partitions < planned.partitions) {
    await admin.increasePartitions(planned.name, planned.partitions);
    partitions = { from: actual.partitions, to: planned.partitions };
  }
  const changed = configChanges.length > 0 || partitions !== undefined;
  const action = problems.length > 0 ? 'refused' : changed ? 'updated' : 'unchanged';
  return { name: planned.name, action, configChanges, partitions, problems };
}

export async function ensureTopics(admin: BusAdmin): Promise<ProvisionReport> {
  const brokerCount = await admin.brokerCount();
  const plan = planTopics(brokerCount);
  const names = plan.topics.map((t) => t.name);
  let described: ReadonlyMap<string, TopicDescription> = new Map(
    (await admin.describeTopics(names)).map((d) => [d.name, d]),
  );
  const missing = plan.topics.filter((t) => !described.has(t.name));
  let createdHere = new Set(missing.map((t) => t.name));
  if (missing.length > 0) {
    try {
      await admin.createTopics(
        missing.map((t) => ({
          name: t.name,
          partitions: t.partitions,
          replicationFactor: t.replication_factor,
          config: t.config,
        })),
      );
    } catch (error) {
      // Several workers starting at once race to create the topics. The losers find them made by
      // another starter and reconcile them like any existing topic; anything else is a failure.
      // Kafka's metadata shows another starter's new topics a moment after it made them.
      for (let attempt = 0; ; attempt++) {
        described = new Map((await admin.describeTopics(names)).map((d) => [d.name, d]));
        if (!missing.some((t) => !described.has(t.name))) break;
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      createdHere = new Set();
    }
  }
  const topics: TopicChange[] = [];
  for (const planned of plan.topics) {
    const actual = described.get(planned.name);
    topics.push(
      createdHere.has(planned.name) || actual === undefined
        ? { name: planned.name, action: 'created', configChanges: [], problems: [] }
        : await reconcile(admin, planned, actual),
    );
  }
  return { brokerCount, warning: plan.warning, topics };
}

/** Throws when a report has refusals, naming each topic and why. */
export function assertNoRefusals(report: ProvisionReport): void {
  const refused = report.topics.filter((t) => t.action === 'refused');
  if (refused.length === 0) return;
  const lines = refused.flatMap((t) => t.problems.map((p) => `${t.name} ${p}`));
  throw new RepolensError(
    'REPOLENS_TOPIC_CONFLICT',
    `some topics cannot be brought in line with the plan:\n  ${lines.join('\n  ')}`,
    {
      details: { topics: refused.map((t) => t.name) },
    },
  );
}
