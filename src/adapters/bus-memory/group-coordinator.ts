/**
 * One consumer group on the in-process broker: its members, which member owns which partition,
 * the assignment generation, and the committed offsets. Rebalances run one at a time; a
 * partition moves only after its previous owner has revoked it (finished or aborted its in-flight
 * handlers for it), so two members never work on one partition at once and the new owner starts
 * from an offset the old one can no longer change.
 */
import { assignPartitions, topicPartitionKey, type TopicPartition } from './assignment.js';

export interface GroupMemberHandle {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** False once the member is stopping: it keeps nothing and gets nothing new. */
  isActive(): boolean;
  /** Stops work on these partitions; resolves once the member will never commit for them. Never rejects. */
  revoke(partitions: readonly TopicPartition[]): Promise<void>;
  /** The member's whole assignment after a rebalance (what it already holds plus what it gains). */
  assign(partitions: readonly TopicPartition[]): void;
}

export interface TopicDirectory {
  partitionCount(topic: string): number | undefined;
}

interface Ownership {
  readonly memberId: string;
  readonly partition: TopicPartition;
}

export class GroupCoordinator {
  private readonly members = new Map<string, GroupMemberHandle>();
  private readonly owners = new Map<string, Ownership>();
  private readonly committed = new Map<string, Map<number, bigint>>();
  private generationId = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly groupId: string,
    private readonly topics: TopicDirectory,
  ) {}

  /** Incremented by every completed rebalance. */
  generation(): number {
    return this.generationId;
  }

  memberIds(): string[] {
    return [...this.members.keys()];
  }

  /** Adds the member and resolves once the rebalance that gives it its partitions is done. */
  join(member: GroupMemberHandle): Promise<void> {
    this.members.set(member.memberId, member);
    return this.requestRebalance();
  }

  /** Removes a member that has stopped working; its partitions go to the others. */
  leave(memberId: string): void {
    if (!this.members.delete(memberId)) return;
    for (const [key, ownership] of this.owners) {
      if (ownership.memberId === memberId) this.owners.delete(key);
    }
    void this.requestRebalance().catch(() => undefined);
  }

  /** A topic gained partitions: members subscribed to it rebalance to take them. */
  topicChanged(topic: string): void {
    if ([...this.members.values()].some((m) => m.topics.includes(topic))) {
      void this.requestRebalance().catch(() => undefined);
    }
  }

  /** Records a commit from the partition's current owner; a commit from anyone else is refused. */
  commit(memberId: string, topic: string, partition: number, offset: bigint): boolean {
    if (this.owners.get(topicPartitionKey(topic, partition))?.memberId !== memberId) return false;
    let byPartition = this.committed.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.committed.set(topic, byPartition);
    }
    byPartition.set(partition, offset);
    return true;
  }

  committedOffset(topic: string, partition: number): bigint | undefined {
    return this.committed.get(topic)?.get(partition);
  }

  committedOffsets(topic: string): Map<number, bigint> {
    return new Map([...(this.committed.get(topic) ?? new Map<number, bigint>())].sort(([a], [b]) => a - b));
  }

  private requestRebalance(): Promise<void> {
    const run = this.queue.then(() => this.rebalance());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rebalance(): Promise<void> {
    const active = [...this.members.values()].filter((m) => m.isActive());
    const counts = new Map<string, number>();
    for (const topic of new Set(active.flatMap((m) => m.topics))) {
      const count = this.topics.partitionCount(topic);
      if (count !== undefined) counts.set(topic, count);
    }
    const current = new Map<string, TopicPartition[]>();
    for (const { memberId, partition } of this.owners.values()) {
      current.set(memberId, [...(current.get(memberId) ?? []), partition]);
    }
    const target = assignPartitions(
      active.map((m) => ({ id: m.memberId, topics: m.topics })),
      counts,
      current,
    );

    const revocations: Promise<void>[] = [];
    for (const member of this.members.values()) {
      const keep = new Set((target.get(member.memberId) ?? []).map((tp) => topicPartitionKey(tp.topic, tp.partition)));
      const lost = (current.get(member.memberId) ?? []).filter(
        (tp) => !keep.has(topicPartitionKey(tp.topic, tp.partition)),
      );
      if (lost.length > 0) revocations.push(member.revoke(lost).then(() => this.release(member.memberId, lost)));
    }
    await Promise.all(revocations);

    this.generationId++;
    for (const [memberId, partitions] of target) {
      const member = this.members.get(memberId);
      // It left, or began stopping, while the others revoked: the next rebalance (queued by
      // leave) hands its share out.
      if (member === undefined || !member.isActive()) continue;
      const granted = partitions.filter((tp) => {
        const owner = this.owners.get(topicPartitionKey(tp.topic, tp.partition));
        return owner === undefined || owner.memberId === memberId;
      });
      for (const tp of granted) this.owners.set(topicPartitionKey(tp.topic, tp.partition), { memberId, partition: tp });
      member.assign(granted);
    }
  }

  private release(memberId: string, partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const key = topicPartitionKey(tp.topic, tp.partition);
      if (this.owners.get(key)?.memberId === memberId) this.owners.delete(key);
    }
  }
}
