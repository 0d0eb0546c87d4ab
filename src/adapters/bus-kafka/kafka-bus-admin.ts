/**
 * createKafkaBusAdmin: the BusAdmin port on Kafka. Topic management goes through the library's
 * Admin client; offsets and group-less reads through a Consumer that never joins a group.
 * Calls that change topics wait until the cluster metadata shows the change, so a caller can
 * produce to a topic as soon as createTopics resolves.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  IncrementalAlterConfigOperationTypes,
  ListOffsetTimestamps,
  type ClusterMetadata,
} from '@platformatic/kafka';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
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
import { guardUnknownBrokers } from './client-guards.js';
import { closedError, isKafkaUserError, toBusError, unknownTopicError } from './errors.js';
import { silentLogger } from './logger.js';
import { checkConnection, metadataMaxAge, type KafkaBusAdminOptions } from './options.js';
import { offsetsOfTopics, readTopic, topicOffsets } from './topic-reader.js';

const METADATA_WAIT_MS = 30_000;

export function createKafkaBusAdmin(options: KafkaBusAdminOptions): BusAdmin {
  checkConnection(options);
  const logger = (options.logger ?? silentLogger).child({ module: 'bus-kafka-admin' });
  const maxAge = metadataMaxAge(options);
  const admin = guardUnknownBrokers(
    new Admin({
      clientId: `${options.clientId}-admin`,
      bootstrapBrokers: [...options.brokers],
      metadataMaxAge: maxAge,
    }),
  );
  let reader: Consumer | null = null;
  let closed = false;

  function offsetsClient(): Consumer {
    reader ??= guardUnknownBrokers(
      new Consumer({
        clientId: `${options.clientId}-admin-reader`,
        bootstrapBrokers: [...options.brokers],
        // Never joins this group: offsets and reads only.
        groupId: `${options.clientId}-admin-reader`,
        autocommit: false,
        metadataMaxAge: maxAge,
      }),
    );
    return reader;
  }

  /** Runs `operation`, mapping library failures to RepolensErrors. */
  async function call<T>(what: string, details: Record<string, unknown>, operation: () => Promise<T>): Promise<T> {
    if (closed) throw closedError(what);
    try {
      return await operation();
    } catch (error) {
      if (isKafkaUserError(error) && Array.isArray(details['topics']))
        throw unknownTopicError(details['topics'] as string[], error);
      throw toBusError(error, what, details);
    }
  }

  /** Polls fresh metadata until `ready` holds for it. */
  async function waitForMetadata(topics: string[], ready: (metadata: ClusterMetadata) => boolean): Promise<void> {
    const deadline = Date.now() + METADATA_WAIT_MS;
    for (;;) {
      try {
        if (ready(await admin.metadata({ topics, forceUpdate: true }))) return;
      } catch (error) {
        // An unknown topic right after creating it: not propagated yet.
        if (!isKafkaUserError(error)) throw error;
      }
      if (Date.now() > deadline) {
        throw new RepolensError(
          ErrorCodes.timeout,
          `topic metadata for ${topics.join(', ')} did not settle in ${METADATA_WAIT_MS} ms`,
          {
            retryable: true,
            details: { topics },
          },
        );
      }
      await delay(100);
    }
  }

  const allLeadersKnown =
    (name: string, partitions: number) =>
    (metadata: ClusterMetadata): boolean => {
      const topic = metadata.topics.get(name);
      return topic !== undefined && topic.partitionsCount >= partitions && topic.partitions.every((p) => p.leader >= 0);
    };

  /** Committed offsets of `groups`: one FindCoordinator for all, then one OffsetFetch per coordinator. */
  async function groupOffsets(groups: readonly GroupTopics[]): Promise<Map<string, Map<string, PartitionOffsets>>> {
    const result = new Map<string, Map<string, PartitionOffsets>>(
      groups.map(({ groupId }) => [groupId, new Map<string, PartitionOffsets>()]),
    );
    if (groups.length === 0) return result;
    const listed = await admin.listConsumerGroupOffsets({ groups: [...result.keys()] });
    for (const { groupId, topics } of groups) {
      const byTopic = result.get(groupId) as Map<string, PartitionOffsets>;
      for (const topic of listed.find((g) => g.groupId === groupId)?.topics ?? []) {
        if (!topics.includes(topic.name)) continue;
        const offsets = new Map<number, bigint>();
        for (const partition of topic.partitions) {
          if (partition.committedOffset >= 0n) offsets.set(partition.partitionIndex, partition.committedOffset);
        }
        if (offsets.size > 0) byTopic.set(topic.name, offsets);
      }
    }
    return result;
  }

  return {
    brokerCount: () =>
      call('brokerCount', {}, async () => (await admin.metadata({ topics: [], forceUpdate: true })).brokers.size),

    describeTopics: (names) =>
      call('describeTopics', { topics: names }, async (): Promise<TopicDescription[]> => {
        const existing = new Set(await admin.listTopics());
        const wanted = [...new Set(names)].filter((name) => existing.has(name));
        if (wanted.length === 0) return [];
        const metadata = await admin.metadata({ topics: wanted, forceUpdate: true });
        const configs = await admin.describeConfigs({
          resources: wanted.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name })),
        });
        return wanted.map((name) => {
          const topic = metadata.topics.get(name);
          const config: Record<string, string> = {};
          for (const entry of configs.find((c) => c.resourceName === name)?.configs ?? []) {
            if (typeof entry.value === 'string') config[entry.name] = entry.value;
          }
          return {
            name,
            partitions: topic?.partitionsCount ?? 0,
            replicationFactor: topic?.partitions[0]?.replicas.length ?? 0,
            config,
          };
        });
      }),

    createTopics: (topics: readonly NewTopic[]) =>
      call('createTopics', { topics: topics.map((t) => t.name) }, async () => {
        for (const topic of topics) {
          await admin.createTopics({
            topics: [topic.name],
            partitions: topic.partitions,
            replicas: topic.replicationFactor,
            configs: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
          });
          logger.info(
            { topic: topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor },
            'topic created',
          );
        }
        for (const topic of topics) await waitForMetadata([topic.name], allLeadersKnown(topic.name, topic.partitions));
      }),

    alterTopicConfig: (name, config) =>
      call('alterTopicConfig', { topics: [name] }, async () => {
        await admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: name,
              configs: Object.entries(config).map(([key, value]) => ({
                name: key,
                configOperation: IncrementalAlterConfigOperationTypes.SET,
                value,
              })),
            },
          ],
        });
      }),

    increasePartitions: (name, partitions) =>
      call('increasePartitions', { topics: [name] }, async () => {
        await admin.createPartitions({ topics: [{ name, count: partitions }] });
        await waitForMetadata([name], allLeadersKnown(name, partitions));
      }),

    endOffsets: (topic) =>
      call('endOffsets', { topics: [topic] }, () => topicOffsets(offsetsClient(), topic, ListOffsetTimestamps.LATEST)),

    startOffsets: (topic) =>
      call('startOffsets', { topics: [topic] }, () =>
        topicOffsets(offsetsClient(), topic, ListOffsetTimestamps.EARLIEST),
      ),

    committedOffsets: (groupId, topics) =>
      call('committedOffsets', { groupId }, async () => {
        const offsets = await groupOffsets([{ groupId, topics }]);
        return offsets.get(groupId) ?? new Map<string, PartitionOffsets>();
      }),

    topicOffsets: (topics) =>
      call('topicOffsets', {}, async (): Promise<Map<string, TopicOffsets>> => {
        const wanted = [...new Set(topics)];
        try {
          return await offsetsOfTopics(offsetsClient(), wanted);
        } catch (error) {
          // A topic that does not exist (yet): list the topics once and leave it out.
          if (!isKafkaUserError(error)) throw error;
          const existing = new Set(await admin.listTopics());
          return await offsetsOfTopics(
            offsetsClient(),
            wanted.filter((topic) => existing.has(topic)),
          );
        }
      }),

    groupOffsets: (groups) => call('groupOffsets', {}, () => groupOffsets(groups)),

    readMessages: (topic: string, readOptions?: ReadOptions): Promise<ReceivedMessage[]> =>
      call('readMessages', { topics: [topic] }, () => readTopic(offsetsClient(), topic, readOptions)),

    deleteRecordsBefore: (topic, partition, offset) =>
      call('deleteRecordsBefore', { topics: [topic], partition }, async () => {
        await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition, offset }] }] });
      }),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const results = await Promise.allSettled([admin.close(), reader?.close() ?? Promise.resolve()]);
      for (const result of results) {
        if (result.status === 'rejected') logger.warn({ err: result.reason }, 'closing a Kafka admin client failed');
      }
    },
  };
}
