/** BusAdmin on the in-process broker: one broker, topics with configs, offsets, reads outside any group. */
import type {
  BusAdmin,
  GroupTopics,
  NewTopic,
  PartitionOffsets,
  ReadOptions,
  TopicDescription,
  TopicOffsets,
} from '../../ports/bus-admin.js';
import type { ReceivedMessage } from '../../ports/message-bus.js';
import type { MemoryBroker } from './broker.js';
import { closedError, invalidArgumentError } from './errors.js';
import { toReceivedMessage } from './partition-log.js';
import type { MemoryTopic } from './topic.js';

function partitionOffsets(topic: MemoryTopic, offset: (partition: number) => bigint): PartitionOffsets {
  return new Map(topic.logs.map((_log, partition) => [partition, offset(partition)]));
}

const earliestOffsets = (topic: MemoryTopic): PartitionOffsets =>
  partitionOffsets(topic, (p) => topic.logs[p]!.startOffset());

const latestOffsets = (topic: MemoryTopic): PartitionOffsets =>
  partitionOffsets(topic, (p) => topic.logs[p]!.endOffset());

export function createMemoryBusAdmin(broker: MemoryBroker): BusAdmin {
  let closed = false;
  const open = (): void => {
    if (closed) throw closedError('memory bus admin');
  };

  return {
    async brokerCount(): Promise<number> {
      open();
      return 1;
    },

    async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
      open();
      return [...new Set(names)].flatMap((name) => {
        const topic = broker.topic(name);
        if (topic === undefined) return [];
        return [
          {
            name,
            partitions: topic.partitionCount,
            replicationFactor: topic.replicationFactor,
            config: topic.config(),
          },
        ];
      });
    },

    async createTopics(topics: readonly NewTopic[]): Promise<void> {
      open();
      broker.createTopics(topics);
    },

    async alterTopicConfig(name: string, config: Readonly<Record<string, string>>): Promise<void> {
      open();
      broker.alterTopicConfig(name, config);
    },

    async increasePartitions(name: string, partitions: number): Promise<void> {
      open();
      broker.increasePartitions(name, partitions);
    },

    async endOffsets(name: string): Promise<PartitionOffsets> {
      open();
      return latestOffsets(broker.requireTopic(name));
    },

    async startOffsets(name: string): Promise<PartitionOffsets> {
      open();
      return earliestOffsets(broker.requireTopic(name));
    },

    async committedOffsets(groupId: string, topics: readonly string[]): Promise<ReadonlyMap<string, PartitionOffsets>> {
      open();
      const group = broker.findGroup(groupId);
      return new Map(topics.map((topic) => [topic, group?.committedOffsets(topic) ?? new Map<number, bigint>()]));
    },

    async topicOffsets(names: readonly string[]): Promise<ReadonlyMap<string, TopicOffsets>> {
      open();
      return new Map(
        [...new Set(names)].flatMap((name) => {
          const topic = broker.topic(name);
          if (topic === undefined) return [];
          const offsets: TopicOffsets = { earliest: earliestOffsets(topic), latest: latestOffsets(topic) };
          return [[name, offsets] as const];
        }),
      );
    },

    async groupOffsets(
      groups: readonly GroupTopics[],
    ): Promise<ReadonlyMap<string, ReadonlyMap<string, PartitionOffsets>>> {
      open();
      const result = new Map<string, Map<string, PartitionOffsets>>();
      for (const { groupId, topics } of groups) {
        const byTopic = result.get(groupId) ?? new Map<string, PartitionOffsets>();
        result.set(groupId, byTopic);
        const group = broker.findGroup(groupId);
        for (const topic of topics) {
          const offsets = group?.committedOffsets(topic);
          if (offsets !== undefined && offsets.size > 0) byTopic.set(topic, offsets);
        }
      }
      return result;
    },

    async readMessages(name: string, options: ReadOptions = {}): Promise<ReceivedMessage[]> {
      open();
      const topic = broker.requireTopic(name);
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      if (!(limit >= 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
        throw invalidArgumentError(`readMessages limit must be a non-negative integer, got ${String(limit)}`);
      }
      const messages: ReceivedMessage[] = [];
      topic.logs.forEach((log, partition) => {
        const remaining = limit - messages.length;
        if (remaining <= 0) return;
        const from = options.from?.get(partition) ?? log.startOffset();
        const max = Number.isFinite(remaining) ? remaining : Number.MAX_SAFE_INTEGER;
        for (const record of log.read(from, max)) {
          messages.push(toReceivedMessage(name, partition, record));
        }
      });
      return messages;
    },

    async deleteRecordsBefore(name: string, partition: number, offset: bigint): Promise<void> {
      open();
      const topic = broker.requireTopic(name);
      const log = topic.log(partition);
      if (log === undefined) {
        throw invalidArgumentError(`topic "${name}" has no partition ${partition}`, { topic: name, partition });
      }
      if (offset < 0n || offset > log.endOffset()) {
        throw invalidArgumentError(
          `cannot delete records of ${name}/${partition} before ${offset}: the offset must be between 0 and the end offset ${log.endOffset()}`,
          { topic: name, partition, offset: String(offset) },
        );
      }
      log.deleteBefore(offset);
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
