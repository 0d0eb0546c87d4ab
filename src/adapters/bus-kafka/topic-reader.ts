/**
 * BusAdmin.readMessages: reads a topic without a consumer group, straight from the partition
 * leaders (Fetch API), partition by partition, from the requested offsets up to the end offsets
 * captured when the read started, so messages produced meanwhile do not make it run forever.
 */
import { ListOffsetTimestamps, type Consumer } from '@platformatic/kafka';
import type { PartitionOffsets, ReadOptions, TopicOffsets } from '../../ports/bus-admin.js';
import type { ReceivedMessage } from '../../ports/message-bus.js';
import { isUnavailableError } from './errors.js';
import { decodeBatches } from './record-batches.js';

const PARTITION_MAX_BYTES = 1024 * 1024;
const ATTEMPTS = 5;

export async function readTopic(
  client: Consumer,
  topic: string,
  options: ReadOptions = {},
): Promise<ReceivedMessage[]> {
  const metadata = await client.metadata({ topics: [topic], forceUpdate: true });
  const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const all = Array.from({ length: partitions }, (_, p) => p);
  const [earliest, latest] = await Promise.all([
    client.listOffsets({ topics: [topic], partitions: { [topic]: all }, timestamp: ListOffsetTimestamps.EARLIEST }),
    client.listOffsets({ topics: [topic], partitions: { [topic]: all }, timestamp: ListOffsetTimestamps.LATEST }),
  ]);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const messages: ReceivedMessage[] = [];
  for (const partition of all) {
    if (messages.length >= limit) break;
    const start = earliest.get(topic)?.[partition] ?? 0n;
    const end = latest.get(topic)?.[partition] ?? 0n;
    const from = options.from?.get(partition);
    let position = from === undefined || from < start ? start : from;
    while (position < end && messages.length < limit) {
      const next = await fetchFrom(client, topic, partition, position);
      for (const { message } of next.records) {
        if (message.offset >= end || messages.length >= limit) break;
        messages.push(message);
      }
      // No progress means the range holds nothing readable (e.g. deleted meanwhile): stop.
      if (next.nextOffset === null || next.nextOffset <= position) break;
      position = next.nextOffset;
    }
  }
  return messages;
}

async function fetchFrom(client: Consumer, topic: string, partition: number, offset: bigint) {
  for (let attempt = 1; ; attempt++) {
    try {
      const metadata = await client.metadata({ topics: [topic], forceUpdate: attempt > 1 });
      const info = metadata.topics.get(topic);
      const leader = info?.partitions[partition]?.leader ?? -1;
      const response = await client.fetch({
        node: leader,
        topics: [
          {
            topicId: info?.id ?? '',
            partitions: [
              {
                partition,
                fetchOffset: offset,
                partitionMaxBytes: PARTITION_MAX_BYTES,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              },
            ],
          },
        ],
        maxWaitTime: 100,
        minBytes: 1,
      });
      const batches = response.responses[0]?.partitions.find((p) => p.partitionIndex === partition)?.records;
      return decodeBatches(topic, partition, batches, offset);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isUnavailableError(error)) throw error;
      client.clearMetadata();
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/**
 * Earliest and latest offsets of every partition of `topics`, which must exist: one ListOffsets
 * per leader for each of the two, from the client's cached metadata (cleared when a request
 * fails, so the next call looks the leaders up again).
 */
export async function offsetsOfTopics(client: Consumer, topics: readonly string[]): Promise<Map<string, TopicOffsets>> {
  const result = new Map<string, TopicOffsets>();
  if (topics.length === 0) return result;
  try {
    const metadata = await client.metadata({ topics: [...topics] });
    const partitions = Object.fromEntries(
      topics.map((topic) => [
        topic,
        Array.from({ length: metadata.topics.get(topic)?.partitionsCount ?? 0 }, (_, p) => p),
      ]),
    );
    const [earliest, latest] = await Promise.all([
      client.listOffsets({ topics: [...topics], partitions, timestamp: ListOffsetTimestamps.EARLIEST }),
      client.listOffsets({ topics: [...topics], partitions, timestamp: ListOffsetTimestamps.LATEST }),
    ]);
    const byPartition = (offsets: ReadonlyMap<string, bigint[]>, topic: string): PartitionOffsets =>
      new Map(
        (partitions[topic] ?? []).flatMap((p) => {
          const offset = offsets.get(topic)?.[p];
          return offset === undefined ? [] : [[p, offset] as const];
        }),
      );
    for (const topic of topics) {
      result.set(topic, { earliest: byPartition(earliest, topic), latest: byPartition(latest, topic) });
    }
    return result;
  } catch (error) {
    client.clearMetadata();
    throw error;
  }
}

/** Offsets per partition of one topic at `timestamp` (earliest or latest). */
export async function topicOffsets(
  client: Consumer,
  topic: string,
  timestamp: typeof ListOffsetTimestamps.EARLIEST | typeof ListOffsetTimestamps.LATEST,
): Promise<PartitionOffsets> {
  const metadata = await client.metadata({ topics: [topic], forceUpdate: true });
  const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const all = Array.from({ length: partitions }, (_, p) => p);
  const offsets = await client.listOffsets({ topics: [topic], partitions: { [topic]: all }, timestamp });
  const result = new Map<number, bigint>();
  for (const partition of all) {
    const offset = offsets.get(topic)?.[partition];
    if (offset !== undefined) result.set(partition, offset);
  }
  return result;
}
