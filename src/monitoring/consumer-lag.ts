/**
 * Consumer lag per group, topic and partition: the latest offset minus the group's committed
 * offset (a partition the group never committed lags by everything retained, from the earliest
 * offset), as `kafka_consumergroup_lag` names it. Read through BusAdmin, so it works on Kafka
 * and on the in-process bus alike. The seed's groups are watched with their retry-tier groups.
 */
import { CONSUMER_GROUP_SPECS, retryGroupId } from '../contracts/consumer-groups.js';
import { RETRY_TIERS, retryTopicName } from '../contracts/topics.js';
import type { BusAdmin } from '../ports/bus-admin.js';

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

export async function readConsumerLag(admin: BusAdmin, groups: readonly WatchedGroup[]): Promise<LagRow[]> {
  const rows: LagRow[] = [];
  const existing = new Set((await admin.describeTopics(groups.map((g) => g.topic))).map((t) => t.name));
  for (const { group, topic } of groups) {
    if (!existing.has(topic)) continue;
    const [latest, earliest, committed] = await Promise.all([
      admin.endOffsets(topic),
      admin.startOffsets(topic),
      admin.committedOffsets(group, [topic]),
    ]);
    const committedHere = committed.get(topic);
    for (const [partition, end] of [...latest].sort(([a], [b]) => a - b)) {
      const done = committedHere?.get(partition) ?? null;
      const from = done ?? earliest.get(partition) ?? 0n;
      const lag = end > from ? Number(end - from) : 0;
      rows.push({ group, topic, partition, committed: done, latest: end, lag });
    }
  }
  return rows;
}

/** Messages retained in a topic (latest minus earliest, over its partitions). */
export async function retainedMessages(admin: BusAdmin, topic: string): Promise<number> {
  const [latest, earliest] = await Promise.all([admin.endOffsets(topic), admin.startOffsets(topic)]);
  let total = 0n;
  for (const [partition, end] of latest) total += end - (earliest.get(partition) ?? 0n);
  return Number(total);
}
