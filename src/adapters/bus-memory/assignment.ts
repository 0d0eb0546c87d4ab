/**
 * Partition assignment for a group: every partition of every subscribed topic goes to exactly one
 * member subscribed to that topic, each topic's partitions spread evenly (counts differ by at most
 * one), and partitions stay with their current owner unless balance requires a move (sticky), so
 * a rebalance moves as little in-flight work as possible.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface AssignmentMember {
  readonly id: string;
  readonly topics: readonly string[];
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * @param members in join order (earlier members win ties)
 * @param partitionCounts partition count of each existing topic
 * @param current what each member owns now
 */
export function assignPartitions(
  members: readonly AssignmentMember[],
  partitionCounts: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, readonly TopicPartition[]>,
): Map<string, TopicPartition[]> {
  const totals = new Map<string, number>(members.map((m) => [m.id, 0]));
  const result = new Map<string, TopicPartition[]>(members.map((m) => [m.id, []]));
  const order = new Map<string, number>(members.map((m, i) => [m.id, i]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitionCounts.has(t)).sort();

  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0;
    const eligible = members.filter((m) => m.topics.includes(topic)).map((m) => m.id);
    const owner = new Map<number, string>();
    const perMember = new Map<string, number>(eligible.map((id) => [id, 0]));
    const give = (partition: number, id: string): void => {
      const previous = owner.get(partition);
      if (previous !== undefined) {
        perMember.set(previous, (perMember.get(previous) ?? 0) - 1);
        totals.set(previous, (totals.get(previous) ?? 0) - 1);
      }
      owner.set(partition, id);
      perMember.set(id, (perMember.get(id) ?? 0) + 1);
      totals.set(id, (totals.get(id) ?? 0) + 1);
    };
    const leastLoaded = (): string | undefined =>
      [...eligible].sort(
        (a, b) =>
          (perMember.get(a) ?? 0) - (perMember.get(b) ?? 0) ||
          (totals.get(a) ?? 0) - (totals.get(b) ?? 0) ||
          (order.get(a) ?? 0) - (order.get(b) ?? 0),
      )[0];

    for (const id of eligible) {
      for (const tp of current.get(id) ?? []) {
        if (tp.topic === topic && tp.partition < count && !owner.has(tp.partition)) give(tp.partition, id);
      }
    }
    for (let partition = 0; partition < count; partition++) {
      if (owner.has(partition)) continue;
      const id = leastLoaded();
      if (id !== undefined) give(partition, id);
    }
    // Move partitions (highest first, so owners keep their low ones) until no member has two
    // more than another; every move lowers the sum of squared counts, so this terminates.
    for (let moved = true; moved;) {
      moved = false;
      for (let partition = count - 1; partition >= 0; partition--) {
        const from = owner.get(partition);
        const to = leastLoaded();
        if (from === undefined || to === undefined) continue;
        if ((perMember.get(to) ?? 0) < (perMember.get(from) ?? 0) - 1) {
          give(partition, to);
          moved = true;
        }
      }
    }
    for (let partition = 0; partition < count; partition++) {
      const id = owner.get(partition);
      if (id !== undefined) result.get(id)?.push({ topic, partition });
    }
  }
  return result;
}
