/**
 * One subscription: a member of a consumer group that runs the handler on the partitions the
 * group gives it. Dispatch is event-driven: a produce to an owned partition, a finished handler
 * and a new assignment each schedule one dispatch pass (coalesced, on setImmediate so a backlog of
 * instant handlers cannot starve the event loop); nothing polls.
 */
import type { CloseOptions, MessageHandler, Subscription } from '../../ports/message-bus.js';
import { topicPartitionKey, type TopicPartition } from './assignment.js';
import type { GroupCoordinator, GroupMemberHandle } from './group-coordinator.js';
import { PartitionConsumer, type BufferLimits, type PendingRecord } from './partition-consumer.js';
import { toReceivedMessage, type PartitionLog, type StoredRecord } from './partition-log.js';

export interface GroupMemberOptions {
  readonly memberId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: MessageHandler;
  readonly concurrency: number;
  readonly coordinator: GroupCoordinator;
  readonly log: (topic: string, partition: number) => PartitionLog | undefined;
  /** How long a revoked partition's handlers may finish before they are aborted. */
  readonly rebalanceTimeoutMs: number;
  /** Grace for `close()` without options, and for the stop after a handler rejects. */
  readonly defaultGraceMs: number;
  readonly limits: BufferLimits;
}

interface Waiter {
  readonly ready: () => boolean;
  readonly settle: (ready: boolean) => void;
}

export class GroupMember implements Subscription, GroupMemberHandle {
  readonly memberId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly done: Promise<void>;

  private state: 'active' | 'stopping' | 'stopped' = 'active';
  private readonly consumers = new Map<string, PartitionConsumer>();
  private readonly runningKeys = new Set<string>();
  private running = 0;
  private pumpScheduled = false;
  private rotation = 0;
  private failure: { readonly error: unknown } | undefined;
  private stopping: Promise<void> | undefined;
  private abortTimer: NodeJS.Timeout | undefined;
  private abortDeadline = Number.POSITIVE_INFINITY;
  private readonly waiters = new Set<Waiter>();
  private settleDone!: (error?: { readonly error: unknown }) => void;

  constructor(private readonly options: GroupMemberOptions) {
    this.memberId = options.memberId;
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.done = new Promise<void>((resolve, reject) => {
      // The handler's own rejection reason, passed on unchanged (whatever it is).
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      this.settleDone = (failure) => (failure === undefined ? resolve() : reject(failure.error));
    });
    // `done` is how a stop is observed; nobody watching it must not crash the process.
    this.done.catch(() => undefined);
  }

  assignments(): ReadonlyMap<string, readonly number[]> {
    const byTopic = new Map<string, number[]>();
    for (const consumer of this.consumers.values()) {
      if (consumer.status === 'released') continue;
      byTopic.set(consumer.topic, [...(byTopic.get(consumer.topic) ?? []), consumer.partition]);
    }
    for (const partitions of byTopic.values()) partitions.sort((a, b) => a - b);
    return byTopic;
  }

  close(options: CloseOptions = {}): Promise<void> {
    return this.stop(options.graceMs ?? this.options.defaultGraceMs);
  }

  isActive(): boolean {
    return this.state === 'active';
  }

  async revoke(partitions: readonly TopicPartition[]): Promise<void> {
    const revoked = partitions
      .map((tp) => this.consumers.get(topicPartitionKey(tp.topic, tp.partition)))
      .filter((c): c is PartitionConsumer => c !== undefined);
    for (const consumer of revoked) if (consumer.status === 'active') consumer.status = 'revoking';
    // Let what runs finish (and commit) first, so a rebalance does not redo finished work.
    await this.waitUntil(() => revoked.every((c) => c.inFlight.size === 0), this.options.rebalanceTimeoutMs);
    for (const consumer of revoked) {
      this.abandon(consumer);
      const key = topicPartitionKey(consumer.topic, consumer.partition);
      if (this.consumers.get(key) === consumer) this.consumers.delete(key);
    }
    this.schedulePump();
  }

  assign(partitions: readonly TopicPartition[]): void {
    if (this.state !== 'active') return;
    for (const { topic, partition } of partitions) {
      const key = topicPartitionKey(topic, partition);
      if (this.consumers.has(key)) continue;
      const log = this.options.log(topic, partition);
      if (log === undefined) continue;
      const committed = this.options.coordinator.committedOffset(topic, partition);
      this.consumers.set(key, new PartitionConsumer(topic, partition, log, committed, () => this.schedulePump()));
    }
    this.schedulePump();
  }

  private stop(graceMs: number): Promise<void> {
    this.scheduleAbort(graceMs);
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  private async runStop(): Promise<void> {
    this.state = 'stopping';
    await this.waitUntil(() => this.running === 0);
    clearTimeout(this.abortTimer);
    for (const consumer of this.consumers.values()) this.abandon(consumer);
    this.consumers.clear();
    this.options.coordinator.leave(this.memberId);
    this.state = 'stopped';
    this.settleDone(this.failure);
  }

  /** Aborts every in-flight handler after `graceMs`, unless an earlier deadline is already set. */
  private scheduleAbort(graceMs: number): void {
    const delay = Number.isFinite(graceMs) && graceMs > 0 ? graceMs : 0;
    const deadline = Date.now() + delay;
    if (deadline >= this.abortDeadline) return;
    this.abortDeadline = deadline;
    clearTimeout(this.abortTimer);
    const abortAll = (): void => {
      for (const consumer of this.consumers.values()) this.abandon(consumer);
      this.checkWaiters();
    };
    if (delay === 0) abortAll();
    else this.abortTimer = setTimeout(abortAll, delay);
  }

  /** Releases the partition for good and aborts its running handlers; their slots free at once. */
  private abandon(consumer: PartitionConsumer): void {
    const running = consumer.release();
    for (const offset of [...consumer.inFlight.keys()]) this.finish(consumer, offset);
    for (const flight of running) flight.controller.abort();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.state !== 'active') return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts runnable records, one partition after another in turn, until `concurrency` run. */
  private pump(): void {
    if (this.state !== 'active') return;
    const consumers = [...this.consumers.values()];
    for (let progress = true; progress && this.running < this.options.concurrency;) {
      progress = false;
      for (let i = 0; i < consumers.length && this.running < this.options.concurrency; i++) {
        const consumer = consumers[(this.rotation + i) % consumers.length]!;
        consumer.refill(this.options.limits);
        const entry = consumer.takeRunnable(this.runningKeys);
        if (entry !== undefined) {
          this.start(consumer, entry);
          progress = true;
        }
      }
      this.rotation = consumers.length === 0 ? 0 : (this.rotation + 1) % consumers.length;
    }
  }

  private start(consumer: PartitionConsumer, entry: PendingRecord): void {
    const controller = new AbortController();
    this.running++;
    if (entry.keyId !== null) this.runningKeys.add(entry.keyId);
    consumer.inFlight.set(entry.record.offset, { controller, keyId: entry.keyId });
    void this.run(consumer, entry.record, controller);
  }

  private async run(consumer: PartitionConsumer, record: StoredRecord, controller: AbortController): Promise<void> {
    let failure: { readonly error: unknown } | undefined;
    try {
      await this.options.handler(toReceivedMessage(consumer.topic, consumer.partition, record), {
        signal: controller.signal,
      });
    } catch (error) {
      failure = { error };
    }
    this.finish(consumer, record.offset);
    // An aborted handler's outcome no longer counts: its partition is released or the member stops.
    if (!controller.signal.aborted && consumer.status !== 'released') {
      if (failure !== undefined) consumer.markFailed(record.offset);
      this.commit(consumer);
      if (failure !== undefined) this.fail(failure);
    }
    this.checkWaiters();
    this.schedulePump();
  }

  /** Frees the handler's concurrency slot and key (once). */
  private finish(consumer: PartitionConsumer, offset: bigint): void {
    const flight = consumer.inFlight.get(offset);
    if (flight === undefined) return;
    consumer.inFlight.delete(offset);
    this.running--;
    if (flight.keyId !== null) this.runningKeys.delete(flight.keyId);
  }

  private commit(consumer: PartitionConsumer): void {
    const offset = consumer.commitCandidate();
    if (offset === undefined) return;
    if (this.options.coordinator.commit(this.memberId, consumer.topic, consumer.partition, offset)) {
      consumer.markCommitted(offset);
    }
  }

  private fail(failure: { readonly error: unknown }): void {
    this.failure ??= failure;
    void this.stop(this.options.defaultGraceMs);
  }

  private waitUntil(ready: () => boolean, timeoutMs?: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => waiter.settle(false), timeoutMs);
      const waiter: Waiter = {
        ready,
        settle: (isReady) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(isReady);
        },
      };
      this.waiters.add(waiter);
    });
  }

  private checkWaiters(): void {
    for (const waiter of [...this.waiters]) if (waiter.ready()) waiter.settle(true);
  }
}
