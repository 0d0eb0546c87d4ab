/**
 * MessageBus: keyed, partitioned, at-least-once messaging with consumer groups — the semantics
 * of Kafka, which both adapters provide (bus-kafka on a real cluster, bus-memory in process).
 *
 * The contract (checked by test/contract/message-bus.contract.ts against every adapter):
 * - `produce` resolves only when every message is durably accepted (Kafka: acks=all,
 *   idempotent producer). Messages with the same key go to the same partition, chosen with
 *   Kafka's murmur2 partitioner (`partitionForKey`), so they are delivered in produce order.
 * - Each group gets every message; within a group each partition is owned by one member at a
 *   time and members share partitions, rebalancing when members join or leave.
 * - A group without a committed offset starts at the earliest retained message.
 * - A message's offset is committed only after its handler resolved. Handlers run concurrently
 *   up to `concurrency`, never two with the same key at once, and commits advance a contiguous
 *   per-partition watermark, so an unfinished message is never skipped.
 * - A handler that rejects stops its subscription: that message and everything after it on its
 *   partition stay uncommitted and are redelivered to the group. Handlers therefore turn
 *   business failures into retries/DLQ themselves (src/runtime) and reject only when that
 *   hand-off is impossible.
 * - `close` stops fetching, waits for in-flight handlers up to the grace period (then aborts
 *   them through their AbortSignal), commits what finished and leaves the group. Safe twice.
 */

export type MessageHeaders = Readonly<Record<string, string>>;

export interface OutgoingMessage {
  readonly topic: string;
  /** Normalized repository_url for the seed's topics; the original bytes for a DLQ record. */
  readonly key: string | Buffer | null;
  readonly value: Buffer;
  readonly headers?: MessageHeaders;
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: MessageHeaders;
  /** Time the message was appended, ms since the epoch. */
  readonly timestamp: number;
}

export interface HandlerContext {
  /** Aborted when the subscription closes past its grace period or loses the partition. */
  readonly signal: AbortSignal;
}

export type MessageHandler = (message: ReceivedMessage, context: HandlerContext) => Promise<void>;

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: MessageHandler;
  /** Most handlers running at once in this member (default 1). Same-key messages never overlap. */
  readonly concurrency?: number;
  /**
   * How long one poll may wait for new messages before it is sent again (Kafka's
   * fetch.max.wait.ms; default: the bus's). A message that arrives ends the wait at once; a longer
   * wait means fewer requests while idle, and up to that long before a partition assigned in
   * the meantime is read. For consumers that tolerate seconds of delay (retry tiers).
   * In-process buses deliver without polling and ignore it.
   */
  readonly pollWaitMs?: number;
  /**
   * How often this member tells its group it is alive (Kafka's heartbeat.interval.ms; default:
   * the bus's; an interval longer than the bus's is capped at a third of the session timeout,
   * or at the bus's own if that is longer). It is also how late the member learns
   * that its group is rebalancing, and a rebalance waits for every member to rejoin: a longer
   * interval means fewer requests, and slower hand-overs and joins of this group. For consumers
   * that tolerate seconds of delay (retry tiers). In-process buses have no heartbeats and ignore it.
   */
  readonly heartbeatIntervalMs?: number;
}

export interface CloseOptions {
  /** How long in-flight handlers may run before they are aborted (default 10 s). */
  readonly graceMs?: number;
}

export interface Subscription {
  readonly groupId: string;
  /** Partitions this member owns right now, by topic. */
  assignments(): ReadonlyMap<string, readonly number[]>;
  /** Settles when the subscription stops: resolves on close, rejects with a handler's error. */
  readonly done: Promise<void>;
  close(options?: CloseOptions): Promise<void>;
}

export interface MessageBus {
  produce(messages: readonly OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Closes every subscription (with their default grace) and the producer. Safe twice. */
  close(): Promise<void>;
}
