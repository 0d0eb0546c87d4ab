/**
 * The producing half of the Kafka bus: an idempotent producer (acks=all) that picks every
 * partition itself, keeps one send in flight per partition ("lane"), and sends whatever waits on
 * the lanes one broker leads as one Produce request.
 *
 * Why lanes: @platformatic/kafka 1.x numbers a partition's idempotent batches when it builds a
 * request and advances the number only when the response arrives, so two concurrent sends to
 * one partition would carry the same sequence number and the broker would drop the second as a
 * duplicate. Sends to different partitions do not share numbers (the library keys them by
 * topic:partition, and deduplicates the producer-id request of concurrent first sends).
 *
 * Why one request per broker: every acknowledged write costs the leader a request and its
 * followers a replication round trip each, whatever the request carries. A stage's start (its
 * task and its status message) and concurrent repositories' messages often go to partitions one
 * broker leads; sent together they cost one write instead of several. Each leader has one send
 * in flight; calls that queue up meanwhile go in its next send, within the per-partition limit.
 * A lane's leader is taken from the metadata its messages were assigned with; if that was stale,
 * the library splits the send by the current leaders, and a partition still has only one send.
 *
 * A producer whose send finally failed is discarded (a batch that was written after all would
 * make the next one look like a duplicate); transient failures are first retried with the same
 * producer and the same batch, which the broker de-duplicates, leaving out partitions the library
 * reports as written by the failed send.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ProduceAcks, Producer, stringSerializer, type MessageToProduce } from '@platformatic/kafka';
import { partitionForKey } from '../../domain/partitioner.js';
import type { OutgoingMessage } from '../../ports/message-bus.js';
import { guardUnknownBrokers } from './client-guards.js';
import {
  closedError,
  errorTree,
  isKafkaUserError,
  isUnavailableError,
  toBusError,
  unknownTopicError,
} from './errors.js';
import { errorBindings } from './logger.js';
import type { ResolvedKafkaBusOptions } from './options.js';

type KafkaProducer = Producer<Buffer, Buffer, string, string>;
type KafkaMessage = MessageToProduce<Buffer, Buffer, string, string>;

/**
 * Largest send on one lane: below the broker's default message.max.bytes (1 MiB), since a
 * partition's messages travel as one record batch. A single bigger message is its lane's only
 * message in a send (the topic's max.message.bytes decides; if it is refused, only its callers
 * see the error).
 */
const MAX_LANE_SEND_BYTES = 900 * 1024;
const MAX_LANE_SEND_MESSAGES = 5_000;

function approximateSize(message: OutgoingMessage): number {
  let size = 64 + message.value.length + (message.key === null ? 0 : Buffer.byteLength(message.key));
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  return size;
}

/** One call's messages for one partition. */
interface Slice {
  readonly messages: KafkaMessage[];
  bytes: number;
  readonly topics: readonly string[];
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  /** `topic:partition`. */
  readonly id: string;
  readonly pending: Slice[];
  /** A send with this lane's messages is in flight. */
  sending: boolean;
  /** Broker id leading the partition, as of the latest call for it (-1: unknown). */
  leader: number;
}

/** A message with its partition's leader, as the metadata it was assigned with says. */
interface AssignedMessage {
  readonly message: KafkaMessage;
  readonly leader: number;
}

export class LaneProducer {
  readonly #options: ResolvedKafkaBusOptions;
  #producer: KafkaProducer | null = null;
  /** Assignments run one at a time so calls enter their lanes in call order. */
  #assigning: Promise<unknown> = Promise.resolve();
  readonly #lanes = new Map<string, Lane>();
  /** The running send loop per leader. */
  readonly #senders = new Map<number, Promise<void>>();
  #closed = false;
  /** Next partition per topic for messages without a key. */
  readonly #roundRobin = new Map<string, number>();

  constructor(options: ResolvedKafkaBusOptions) {
    this.#options = options;
  }

  /** Resolves once every message was acknowledged; rejects with the first failed send's error. */
  produce(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(closedError('produce'));
    if (messages.length === 0) return Promise.resolve();
    const deadline = Date.now() + this.#options.produceTimeoutMs;
    const enqueued = this.#assigning.then(async () => {
      const topics = [...new Set(messages.map((m) => m.topic))];
      const batch = await this.#assignWithRetries(topics, messages, deadline);
      return this.#enqueue(batch, messages, topics, deadline);
    });
    this.#assigning = enqueued.catch(() => undefined);
    return enqueued.then((slices) => Promise.all(slices)).then(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#assigning;
    while (this.#senders.size > 0) await Promise.all(this.#senders.values());
    await this.#discard();
  }

  /** Splits a call by partition into its lanes (synchronously, keeping call order per lane). */
  #enqueue(
    batch: readonly AssignedMessage[],
    messages: readonly OutgoingMessage[],
    topics: readonly string[],
    deadline: number,
  ): Promise<void>[] {
    // Per lane, in order, cut into pieces that each fit one send.
    const pieces: [string, { messages: KafkaMessage[]; bytes: number; leader: number }][] = [];
    const open = new Map<string, { messages: KafkaMessage[]; bytes: number; leader: number }>();
    batch.forEach(({ message, leader }, index) => {
      const id = `${message.topic}:${message.partition}`;
      const size = approximateSize(messages[index] as OutgoingMessage);
      let piece = open.get(id);
      const full =
        piece !== undefined &&
        piece.messages.length > 0 &&
        (piece.bytes + size > MAX_LANE_SEND_BYTES || piece.messages.length >= MAX_LANE_SEND_MESSAGES);
      if (piece === undefined || full) {
        piece = { messages: [], bytes: 0, leader };
        open.set(id, piece);
        pieces.push([id, piece]);
      }
      piece.messages.push(message);
      piece.bytes += size;
    });
    const sent = pieces.map(
      ([id, { messages: pieceMessages, bytes, leader }]) =>
        new Promise<void>((resolve, reject) => {
          let lane = this.#lanes.get(id);
          if (lane === undefined) {
            lane = { id, pending: [], sending: false, leader };
            this.#lanes.set(id, lane);
          }
          lane.leader = leader;
          lane.pending.push({ messages: pieceMessages, bytes, topics, deadline, resolve, reject });
        }),
    );
    // Only now, with the whole call on its lanes, so that a leader's first send takes all of it.
    for (const leader of new Set(pieces.map(([, piece]) => piece.leader))) this.#startSender(leader);
    return sent;
  }

  /** Starts the send loop of `leader` unless it runs (a running one picks up new slices). */
  #startSender(leader: number): void {
    if (this.#senders.has(leader)) return;
    this.#senders.set(leader, this.#send(leader));
  }

  /** Sends, one request at a time, what waits on the idle lanes `leader` leads, until none waits. */
  async #send(leader: number): Promise<void> {
    try {
      // Yield once, so #startSender has registered this loop before it can end and unregister.
      await Promise.resolve();
      for (;;) {
        const taken: { lane: Lane; slices: Slice[] }[] = [];
        for (const lane of this.#lanes.values()) {
          if (lane.leader !== leader || lane.sending || lane.pending.length === 0) continue;
          lane.sending = true;
          taken.push({ lane, slices: takeSlices(lane.pending) });
        }
        // Unregistered in the same turn as this emptiness check (finally runs before any other
        // code): a slice queued after it starts a new loop, and none is left behind.
        if (taken.length === 0) return;
        await this.#sendLanes(taken);
        for (const { lane } of taken) {
          lane.sending = false;
          // Its leader changed while this send was in flight: that leader's loop skipped it.
          if (lane.leader !== leader && lane.pending.length > 0) this.#startSender(lane.leader);
        }
      }
    } finally {
      this.#senders.delete(leader);
    }
  }

  /** One request for the taken lanes; settles every slice. Never rejects. */
  async #sendLanes(taken: readonly { lane: Lane; slices: Slice[] }[]): Promise<void> {
    const send = (
      parts: readonly { slices: Slice[] }[],
      written: Set<string>,
      options: { discardOnFailure: boolean },
    ): Promise<void> => {
      const slices = parts.flatMap((part) => part.slices);
      return this.#sendWithRetries(
        slices.flatMap((slice) => slice.messages),
        [...new Set(slices.flatMap((slice) => slice.topics))],
        Math.min(...slices.map((slice) => slice.deadline)),
        written,
        options,
      );
    };
    const resolve = (slices: readonly Slice[]): void => slices.forEach((slice) => slice.resolve());
    const reject = (slices: readonly Slice[], error: unknown): void => slices.forEach((slice) => slice.reject(error));
    const written = new Set<string>();
    try {
      await send(taken, written, { discardOnFailure: taken.length === 1 });
      resolve(taken.flatMap((part) => part.slices));
      return;
    } catch (error) {
      if (taken.length === 1) {
        reject(taken[0]?.slices ?? [], error);
        return;
      }
    }
    // One partition's failure (a record too large, say) must not fail the others: each lane is
    // sent alone with the same producer, so whatever the failed request wrote after all is
    // recognised by its sequence numbers and not written twice. Only when every lane is settled
    // may a final failure discard that producer.
    const producer = this.#producer;
    const failed = await Promise.all(
      taken.map(async (part) => {
        try {
          if (!written.has(part.lane.id)) await send([part], new Set(), { discardOnFailure: false });
          resolve(part.slices);
          return false;
        } catch (error) {
          reject(part.slices, error);
          return true;
        }
      }),
    );
    if (failed.includes(true) && this.#producer === producer) await this.#discard();
  }

  #client(): KafkaProducer {
    this.#producer ??= guardUnknownBrokers(
      new Producer<Buffer, Buffer, string, string>({
        clientId: `${this.#options.clientId}-producer`,
        bootstrapBrokers: this.#options.brokers,
        idempotent: true,
        acks: ProduceAcks.ALL,
        autocreateTopics: false,
        // Not 0/1: the library would turn those into "retry forever" for idempotent producers.
        retries: 3,
        retryDelay: 250,
        metadataMaxAge: this.#options.metadataMaxAgeMs,
        serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
      }),
    );
    return this.#producer;
  }

  async #discard(): Promise<void> {
    const producer = this.#producer;
    this.#producer = null;
    if (producer === null) return;
    try {
      await producer.close();
    } catch (error) {
      this.#options.logger.warn(errorBindings(error), 'closing the Kafka producer failed');
    }
  }

  async #assignWithRetries(
    topics: readonly string[],
    messages: readonly OutgoingMessage[],
    deadline: number,
  ): Promise<AssignedMessage[]> {
    let unknownTopicRetried = false;
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw closedError('produce');
      const producer = this.#client();
      try {
        return await this.#assignPartitions(producer, topics, messages);
      } catch (error) {
        if (isKafkaUserError(error)) {
          // A topic created a moment ago may not be in this broker's metadata yet.
          if (!unknownTopicRetried) {
            unknownTopicRetried = true;
            producer.clearMetadata();
            await delay(300);
            continue;
          }
          throw unknownTopicError(topics, error);
        }
        const retry = isUnavailableError(error) && Date.now() + 250 < deadline && !this.#closed;
        this.#options.logger.warn({ ...errorBindings(error), topics, attempt, retry }, 'reading Kafka metadata failed');
        if (!retry) throw toBusError(error, 'produce', { topics });
        producer.clearMetadata();
        await delay(Math.min(250 * attempt, 2_000));
      }
    }
  }

  /**
   * Sends `batch`, retrying transient failures with the same producer until `deadline`. Adds to
   * `written` the partitions the library reports as written although the send failed. On a
   * final failure the producer is discarded if `discardOnFailure` (the caller may instead try
   * the batch's partitions one by one with it first).
   */
  async #sendWithRetries(
    batch: KafkaMessage[],
    topics: readonly string[],
    deadline: number,
    written: Set<string>,
    options: { discardOnFailure: boolean },
  ): Promise<void> {
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      const producer = this.#client();
      try {
        await producer.send({ messages: remaining });
        return;
      } catch (error) {
        const retry = isUnavailableError(error) && Date.now() + 250 < deadline && !this.#closed;
        this.#options.logger.warn({ ...errorBindings(error), topics, attempt, retry }, 'producing to Kafka failed');
        // A send the library split over several leaders may have been written to some: their
        // sequence numbers moved on, so sending them again would write them twice.
        for (const partition of writtenPartitions(error)) written.add(partition);
        if (!retry) {
          // Only the producer this send used: another lane may already have replaced it.
          if (options.discardOnFailure && this.#producer === producer) await this.#discard();
          throw toBusError(error, 'produce', { topics });
        }
        remaining = remaining.filter((message) => !written.has(`${message.topic}:${message.partition}`));
        if (remaining.length === 0) return;
        producer.clearMetadata();
        await delay(Math.min(250 * attempt, 2_000));
      }
    }
  }

  async #assignPartitions(
    producer: KafkaProducer,
    topics: readonly string[],
    messages: readonly OutgoingMessage[],
  ): Promise<AssignedMessage[]> {
    // The library's metadata cache (refreshed after metadataMaxAge, and on stale-metadata
    // errors) is the one it uses to route the send, so both agree on the partition count.
    const metadata = await producer.metadata({ topics: [...topics] });
    return messages.map((message) => {
      const topic = metadata.topics.get(message.topic);
      const partitions = topic?.partitionsCount ?? 0;
      if (partitions <= 0) throw unknownTopicError([message.topic], undefined);
      const key = typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : message.key;
      const partition =
        key === null ? this.#nextRoundRobin(message.topic, partitions) : partitionForKey(key, partitions);
      return {
        message: {
          topic: message.topic,
          partition,
          ...(key === null ? {} : { key }),
          value: message.value,
          headers: new Map(Object.entries(message.headers ?? {})),
        },
        leader: topic?.partitions[partition]?.leader ?? -1,
      };
    });
  }

  #nextRoundRobin(topic: string, partitions: number): number {
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, next + 1);
    return next % partitions;
  }
}

/** `topic:partition` of what a failed send wrote all the same (the library attaches it as `produced`). */
function writtenPartitions(error: unknown): Set<string> {
  const written = new Set<string>();
  for (const node of errorTree(error)) {
    const offsets = (node as { produced?: { offsets?: { topic: string; partition: number }[] } }).produced?.offsets;
    for (const { topic, partition } of offsets ?? []) written.add(`${topic}:${partition}`);
  }
  return written;
}

/** The oldest slice, plus the following ones while the send stays within the lane's limits. */
function takeSlices(pending: Slice[]): Slice[] {
  const slices = [pending.shift() as Slice];
  let count = slices[0]?.messages.length ?? 0;
  let bytes = slices[0]?.bytes ?? 0;
  for (let next = pending[0]; next !== undefined; next = pending[0]) {
    if (count + next.messages.length > MAX_LANE_SEND_MESSAGES || bytes + next.bytes > MAX_LANE_SEND_BYTES) break;
    slices.push(pending.shift() as Slice);
    count += next.messages.length;
    bytes += next.bytes;
  }
  return slices;
}
