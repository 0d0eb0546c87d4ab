/**
 * BusAdmin: what provisioning, the DLQ tools and lag monitoring need from the message
 * infrastructure — topics with their configs, offsets, and reading a topic outside any group.
 * Both bus adapters implement it; the memory one keeps the same shape for embedded mode.
 */
import type { ReceivedMessage } from './message-bus.js';

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level configs as the broker reports them (at least retention.ms, min.insync.replicas). */
  readonly config: Readonly<Record<string, string>>;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/** Offsets per partition of one topic. */
export type PartitionOffsets = ReadonlyMap<number, bigint>;

/** Earliest retained and log-end offsets of one topic's partitions. */
export interface TopicOffsets {
  readonly earliest: PartitionOffsets;
  readonly latest: PartitionOffsets;
}

/** A consumer group and the topics whose committed offsets are wanted. */
export interface GroupTopics {
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface ReadOptions {
  /** Start offset per partition (default: the earliest retained). */
  readonly from?: PartitionOffsets;
  /** Stop after this many messages in total. */
  readonly limit?: number;
}

export interface BusAdmin {
  brokerCount(): Promise<number>;
  /** Describes the named topics that exist; missing ones are left out. */
  describeTopics(names: readonly string[]): Promise<TopicDescription[]>;
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** Sets the given configs on an existing topic, leaving the others as they are. */
  alterTopicConfig(name: string, config: Readonly<Record<string, string>>): Promise<void>;
  /** Raises a topic's partition count (Kafka cannot lower it). */
  increasePartitions(name: string, partitions: number): Promise<void>;
  /** Log-end offset of each partition (the offset the next message will get). */
  endOffsets(topic: string): Promise<PartitionOffsets>;
  /** Earliest retained offset of each partition. */
  startOffsets(topic: string): Promise<PartitionOffsets>;
  /** Offsets a group has committed, per topic; partitions without a commit are left out. */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<ReadonlyMap<string, PartitionOffsets>>;
  /**
   * Earliest and latest offsets of several topics in one round of requests (a monitor reading
   * every topic each interval); topics that do not exist are left out.
   */
  topicOffsets(topics: readonly string[]): Promise<ReadonlyMap<string, TopicOffsets>>;
  /** Committed offsets of several groups at once: group → topic → partition → offset. */
  groupOffsets(groups: readonly GroupTopics[]): Promise<ReadonlyMap<string, ReadonlyMap<string, PartitionOffsets>>>;
  /** Reads retained messages of a topic without joining a group, partition by partition in order. */
  readMessages(topic: string, options?: ReadOptions): Promise<ReceivedMessage[]>;
  /** Deletes every message of a partition below `offset` (Kafka DeleteRecords). */
  deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<void>;
  close(): Promise<void>;
}
