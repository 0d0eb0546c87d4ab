/**
 * Consumer lag per group, topic and partition: the latest offset minus the group's committed
 * offset (a partition the group never committed lags by everything retained, from the earliest
 * offset), as `kafka_consumergroup_lag` names it. Read through BusAdmin, so it works on Kafka
 * and on the in-process bus alike. The seed's groups are watched with their retry-tier groups.
 */
import { CONSUMER_GROUP_SPECS, retryGroupId } from '../contracts/consumer-groups.js';
import { RETRY_TIERS, retryTopicName } from '../contracts/topics.js';
import type { BusAdmin, PartitionOffsets, TopicOffsets } from '../ports/bus-admin.js';

export interface LagRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: bigint | null;
  readonly latest: bigint;
  readonly lag: number;
}

export interface WatchedGroup {
  readonly group: string;
  readonly topic: string;
}

/** The seed's three groups on their topics, plus each one's retry-tier groups. */
export function seedGroups(): WatchedGroup[] {
  return CONSUMER_GROUP_SPECS.flatMap((spec) => [
    { group: spec.groupId, topic: spec.topic },
    ...RETRY_TIERS.map((tier) => ({
      group: retryGroupId(spec.groupId, tier),
      topic: retryTopicName(spec.topic, tier),
    })),
  ]);
}

/**
 * Lag of each watched group on each partition of its topic, from offsets read beforehand;
 * topics missing from `offsets` (not created yet) are left out.
 */
export function lagRows(
  groups: readonly WatchedGroup[],
  offsets: ReadonlyMap<string, TopicOffsets>,
  committed: ReadonlyMap<string, ReadonlyMap<string, PartitionOffsets>>,
): LagRow[] {
  const rows: LagRow[] = [];
  for (const { group, topic } of groups) {
    const topicOffsets = offsets.get(topic);
    if (topicOffsets === undefined) continue;
    const committedHere = committed.get(group)?.get(topic);
    for (const [partition, end] of [...topicOffsets.latest].sort(([a], [b]) => a - b)) {
      const done = committedHere?.get(partition) ?? null;
      const from = done ?? topicOffsets.earliest.get(partition) ?? 0n;
      const lag = end > from ? Number(end - from) : 0;
      rows.push({ group, topic, partition, committed: done, latest: end, lag });
    }
  }
  return rows;
}

/** Messages retained in a topic (latest minus earliest, over its partitions). */
export function retainedIn(offsets: TopicOffsets | undefined): number {
  let total = 0n;
  for (const [partition, end] of offsets?.latest ?? []) total += end - (offsets?.earliest.get(partition) ?? 0n);
  return Number(total);
}

/**
 * Reads the lag of `groups` and the retained size of `extraTopics` in one round of requests
 * (offsets of all topics at once, committed offsets of all groups at once), so a monitor reading
 * a dozen groups every interval costs the brokers a handful of requests, not a hundred.
 */
export async function readLag(
  admin: BusAdmin,
  groups: readonly WatchedGroup[],
  extraTopics: readonly string[] = [],
): Promise<{ rows: LagRow[]; retained: Map<string, number> }> {
  const topics = [...new Set([...groups.map((g) => g.topic), ...extraTopics])];
  const byGroup = new Map<string, string[]>();
  for (const { group, topic } of groups) byGroup.set(group, [...(byGroup.get(group) ?? []), topic]);
  const [offsets, committed] = await Promise.all([
    admin.topicOffsets(topics),
    admin.groupOffsets([...byGroup].map(([groupId, groupTopics]) => ({ groupId, topics: groupTopics }))),
  ]);
  return {
    rows: lagRows(groups, offsets, committed),
    retained: new Map(extraTopics.map((topic) => [topic, retainedIn(offsets.get(topic))])),
  };
}

export async function readConsumerLag(admin: BusAdmin, groups: readonly WatchedGroup[]): Promise<LagRow[]> {
  return (await readLag(admin, groups)).rows;
}
