/**
 * The producing half of the Kafka bus: an idempotent producer (acks=all) that has one send in
 * flight at a time, coalesces the calls that queue up meanwhile into the next send, and picks
 * every partition itself.
 *
 * One send at a time, because @platformatic/kafka 1.x numbers idempotent batches when it builds
 * a request and advances the numbers only when the response arrives: two concurrent sends to one
 * partition would carry the same sequence number, and the broker would drop the second as a
 * duplicate. For the same reason a producer whose send finally failed is discarded (a batch that
 * was written after all would make the next one look like a duplicate); transient failures are
 * retried with the same producer and the same batches, which the broker de-duplicates.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ProduceAcks, Producer, stringSerializer, type MessageToProduce } from '@platformatic/kafka';
import { partitionForKey } from '../../domain/partitioner.js';
import type { OutgoingMessage } from '../../ports/message-bus.js';
import { guardUnknownBrokers } from './client-guards.js';
import { closedError, isKafkaUserError, isUnavailableError, toBusError, unknownTopicError } from './errors.js';
import { errorBindings } from './logger.js';
import type { ResolvedKafkaBusOptions } from './options.js';

type KafkaProducer = Producer<Buffer, Buffer, string, string>;
type KafkaMessage = MessageToProduce<Buffer, Buffer, string, string>;

/**
 * Largest send. Bytes: so that one partition's batch stays below the broker's default
 * message.max.bytes (1 MiB) even when every message of the send has the same key; a single bigger
 * message is sent alone (the topic's max.message.bytes decides). Messages: measured with
 * bench/bus, 5,000 small messages per request roughly doubled throughput over 1,000.
 */
const MAX_SEND_BYTES = 900 * 1024;
const MAX_SEND_MESSAGES = 5_000;

function approximateSize(message: OutgoingMessage): number {
  let size = 64 + message.value.length + (message.key === null ? 0 : Buffer.byteLength(message.key));
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  return size;
}

function chunk(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = approximateSize(message);
    if (current.length > 0 && (bytes + size > MAX_SEND_BYTES || current.length >= MAX_SEND_MESSAGES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

interface PendingCall {
  readonly messages: readonly OutgoingMessage[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class SerialProducer {
  readonly #options: ResolvedKafkaBusOptions;
  #producer: KafkaProducer | null = null;
  /** Calls waiting to be sent, in call order. */
  readonly #pending: PendingCall[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;
  /** Next partition per topic for messages without a key. */
  readonly #roundRobin = new Map<string, number>();

  constructor(options: ResolvedKafkaBusOptions) {
    this.#options = options;
  }

  /**
   * Calls queue up while a send is in flight; the next send takes as many of them as fit in one
   * request, so many small concurrent calls cost one round trip instead of one each. Each call
   * resolves once all its messages were acknowledged, or rejects with the error of its send.
   */
  produce(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(closedError('produce'));
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({
        messages,
        bytes: messages.reduce((sum, m) => sum + approximateSize(m), 0),
        resolve,
        reject,
      });
      // #drain clears #draining itself when it ends; see there.
      this.#draining ??= this.#drain();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
    await this.#discard();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const calls = this.#takeCalls();
        try {
          // In order, each after the previous one was acknowledged: not atomic, like Kafka itself.
          for (const part of chunk(calls.flatMap((call) => call.messages))) await this.#sendWithRetries(part);
          for (const call of calls) call.resolve();
        } catch (error) {
          for (const call of calls) call.reject(error);
        }
      }
    } finally {
      // Cleared in the same turn as the last emptiness check: a call queued after this starts a
      // new drain, and none can be left behind by a drain that is about to end.
      this.#draining = null;
    }
  }

  /** The oldest pending call, plus the following ones while the send stays within its limits. */
  #takeCalls(): PendingCall[] {
    const first = this.#pending.shift() as PendingCall;
    const calls = [first];
    let count = first.messages.length;
    let bytes = first.bytes;
    for (let next = this.#pending[0]; next !== undefined; next = this.#pending[0]) {
      if (count + next.messages.length > MAX_SEND_MESSAGES || bytes + next.bytes > MAX_SEND_BYTES) break;
      calls.push(this.#pending.shift() as PendingCall);
      count += next.messages.length;
      bytes += next.bytes;
    }
    return calls;
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

  async #sendWithRetries(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) throw closedError('produce');
    const deadline = Date.now() + this.#options.produceTimeoutMs;
    const topics = [...new Set(messages.map((m) => m.topic))];
    let batch: KafkaMessage[] | null = null;
    let unknownTopicRetried = false;
    for (let attempt = 1; ; attempt++) {
      const producer = this.#client();
      try {
        // Partitions are chosen once: a retry must resend identical batches to be de-duplicated.
        batch ??= await this.#assignPartitions(producer, topics, messages);
        await producer.send({ messages: batch });
        return;
      } catch (error) {
        if (batch === null && isKafkaUserError(error)) {
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
        this.#options.logger.warn({ ...errorBindings(error), topics, attempt, retry }, 'producing to Kafka failed');
        if (!retry) {
          if (batch !== null) await this.#discard();
          throw toBusError(error, 'produce', { topics });
        }
        producer.clearMetadata();
        await delay(Math.min(250 * attempt, 2_000));
      }
    }
  }

  async #assignPartitions(
    producer: KafkaProducer,
    topics: readonly string[],
    messages: readonly OutgoingMessage[],
  ): Promise<KafkaMessage[]> {
    // The library's metadata cache (refreshed after metadataMaxAge, and on stale-metadata
    // errors) is the one it uses to route the send, so both agree on the partition count.
    const metadata = await producer.metadata({ topics: [...topics] });
    return messages.map((message) => {
      const partitions = metadata.topics.get(message.topic)?.partitionsCount ?? 0;
      if (partitions <= 0) throw unknownTopicError([message.topic], undefined);
      const key = typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : message.key;
      return {
        topic: message.topic,
        partition: key === null ? this.#nextRoundRobin(message.topic, partitions) : partitionForKey(key, partitions),
        ...(key === null ? {} : { key }),
        value: message.value,
        headers: new Map(Object.entries(message.headers ?? {})),
      };
    });
  }

  #nextRoundRobin(topic: string, partitions: number): number {
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, next + 1);
    return next % partitions;
  }
}
