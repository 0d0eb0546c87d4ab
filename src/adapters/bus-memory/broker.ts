/**
 * The in-process broker: topics (partition logs and configs) and consumer groups (members,
 * ownership, committed offsets). It is shared state, not a client: `createMemoryBus` and
 * `createMemoryBusAdmin` are the clients, as many as wanted, on one broker.
 */
import type { NewTopic } from '../../ports/bus-admin.js';
import { invalidArgumentError, unknownTopicError } from './errors.js';
import { GroupCoordinator } from './group-coordinator.js';
import type { PartitionLog } from './partition-log.js';
import { MemoryTopic, validatePositiveInteger, validateTopicConfig, validateTopicName } from './topic.js';

export interface MemoryBrokerOptions {
  /** Partitions of a topic created with `broker.createTopic` without a count (default 1, as Kafka's num.partitions). */
  readonly defaultPartitions?: number;
  /** Clock for record timestamps and retention (default Date.now). */
  readonly now?: () => number;
  /**
   * How long a member losing a partition in a rebalance may let its in-flight handlers for it
   * finish before they are aborted and the partition moves on anyway (default 30 s).
   */
  readonly rebalanceTimeoutMs?: number;
}

export interface TopicRequest {
  readonly name: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
}

export class MemoryBroker {
  readonly defaultPartitions: number;
  readonly rebalanceTimeoutMs: number;
  private readonly clock: () => number;
  private readonly topics = new Map<string, MemoryTopic>();
  private readonly groups = new Map<string, GroupCoordinator>();
  private clientSequence = 0;

  constructor(options: MemoryBrokerOptions = {}) {
    this.defaultPartitions = options.defaultPartitions ?? 1;
    validatePositiveInteger('defaultPartitions', this.defaultPartitions, {});
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 30_000;
    if (!(this.rebalanceTimeoutMs >= 0)) {
      throw invalidArgumentError(`rebalanceTimeoutMs must be >= 0, got ${String(this.rebalanceTimeoutMs)}`);
    }
    this.clock = options.now ?? Date.now;
  }

  now(): number {
    return this.clock();
  }

  /** A new client id, unique on this broker. */
  nextClientId(prefix: string): string {
    this.clientSequence++;
    return `${prefix}-${this.clientSequence}`;
  }

  topic(name: string): MemoryTopic | undefined {
    return this.topics.get(name);
  }

  /** The topic, or a RepolensError naming it when it does not exist (no auto-creation). */
  requireTopic(name: string): MemoryTopic {
    const topic = this.topics.get(name);
    if (topic === undefined) throw unknownTopicError(name);
    return topic;
  }

  log(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.log(partition);
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  /** Creates one topic; partitions default to `defaultPartitions`, replication to 1. */
  createTopic(request: TopicRequest): void {
    this.createTopics([
      {
        name: request.name,
        partitions: request.partitions ?? this.defaultPartitions,
        replicationFactor: request.replicationFactor ?? 1,
        config: request.config ?? {},
      },
    ]);
  }

  /** Creates all the topics or, when any is invalid or exists already, none. */
  createTopics(requests: readonly NewTopic[]): void {
    const names = new Set<string>();
    for (const request of requests) {
      validateTopicName(request.name);
      validatePositiveInteger(`partitions of topic "${request.name}"`, request.partitions, { topic: request.name });
      validatePositiveInteger(`replicationFactor of topic "${request.name}"`, request.replicationFactor, {
        topic: request.name,
      });
      validateTopicConfig(request.name, request.config);
      if (this.topics.has(request.name) || names.has(request.name)) {
        throw invalidArgumentError(`topic "${request.name}" already exists`, { topic: request.name });
      }
      names.add(request.name);
    }
    for (const request of requests) {
      const topic = new MemoryTopic(request.name, request.partitions, request.replicationFactor, request.config, {
        now: () => this.clock(),
      });
      this.topics.set(request.name, topic);
    }
  }

  alterTopicConfig(name: string, config: Readonly<Record<string, string>>): void {
    const topic = this.requireTopic(name);
    validateTopicConfig(name, config);
    topic.alterConfig(config);
  }

  /** Grows a topic; groups subscribed to it rebalance to take the new partitions. */
  increasePartitions(name: string, partitions: number): void {
    const topic = this.requireTopic(name);
    validatePositiveInteger(`partitions of topic "${name}"`, partitions, { topic: name });
    if (partitions <= topic.partitionCount) {
      throw invalidArgumentError(
        `topic "${name}" has ${topic.partitionCount} partitions; the count can only grow (asked for ${partitions})`,
        { topic: name, partitions },
      );
    }
    topic.growTo(partitions);
    for (const group of this.groups.values()) group.topicChanged(name);
  }

  /** The group's coordinator, created on first use (groups are never deleted: they keep their offsets). */
  group(groupId: string): GroupCoordinator {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new GroupCoordinator(groupId, { partitionCount: (topic) => this.topics.get(topic)?.partitionCount });
      this.groups.set(groupId, group);
    }
    return group;
  }

  /** The group if it was ever used; never creates one. */
  findGroup(groupId: string): GroupCoordinator | undefined {
    return this.groups.get(groupId);
  }
}

export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  return new MemoryBroker(options);
}
