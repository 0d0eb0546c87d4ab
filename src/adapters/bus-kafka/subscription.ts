/**
 * One `subscribe` call: a group member (group-member.ts), a fetch loop (fetch-loop.ts), a
 * key-ordered scheduler for the handler (key-scheduler.ts) and a commit watermark per partition
 * (partition-progress.ts). README.md describes the algorithm and its limits.
 */
import type { ConsumerGroupJoinPayload } from '@platformatic/kafka';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type {
  CloseOptions,
  MessageHandler,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
} from '../../ports/message-bus.js';
import { isKafkaUserError, toBusError, unknownTopicError } from './errors.js';
import { FetchLoop, type FetchHost } from './fetch-loop.js';
import { closeGroupMember, createGroupMember, type GroupMember } from './group-member.js';
import { KeyScheduler, type KeyedJob } from './key-scheduler.js';
import { errorBindings, type BusLogger } from './logger.js';
import type { ResolvedKafkaBusOptions } from './options.js';
import { PartitionState, partitionId } from './partition-state.js';
import type { DecodedRecord } from './record-batches.js';
import { settleWithin, sleep } from './timing.js';

const DEFAULT_GRACE_MS = 10_000;
/** After aborting, how long handlers get to notice the signal and settle before close goes on. */
const ABORT_SETTLE_MS = 1_000;

interface HandlerJob extends KeyedJob {
  readonly state: PartitionState;
  readonly message: ReceivedMessage;
}

/** Same key → same lock, across the subscription's topics; keyless messages lock their partition. */
function lockKeyOf(message: ReceivedMessage): string {
  return message.key === null
    ? `p\u0000${message.topic}\u0000${message.partition}`
    : `k\u0000${message.key.toString('latin1')}`;
}

/**
 * The bus's options with this subscription's own poll wait and heartbeat. A heartbeat longer
 * than the bus's is capped at a third of the session timeout (Kafka's advice), so a member never
 * risks its session between two heartbeats; the cap never goes below the bus's own interval.
 */
function subscriptionOptions(options: ResolvedKafkaBusOptions, subscribe: SubscribeOptions): ResolvedKafkaBusOptions {
  const longestHeartbeatMs = Math.max(options.heartbeatIntervalMs, Math.floor(options.sessionTimeoutMs / 3));
  return {
    ...options,
    fetchMaxWaitMs: subscribe.pollWaitMs ?? options.fetchMaxWaitMs,
    heartbeatIntervalMs: Math.min(subscribe.heartbeatIntervalMs ?? options.heartbeatIntervalMs, longestHeartbeatMs),
  };
}

export class KafkaSubscription implements Subscription, FetchHost {
  readonly groupId: string;
  readonly done: Promise<void>;

  /** The bus's options with this subscription's poll wait and heartbeat. */
  readonly #options: ResolvedKafkaBusOptions;
  /** The bus's own heartbeat interval: the session watchdog's period and margin. */
  readonly #busHeartbeatMs: number;
  readonly #topics: readonly string[];
  readonly #handler: MessageHandler;
  readonly #logger: BusLogger;
  readonly #clientId: string;
  readonly #scheduler: KeyScheduler<HandlerJob>;
  readonly #fetchLoop: FetchLoop;
  readonly #states = new Map<string, PartitionState>();
  #member: GroupMember | null = null;
  #epoch = 0;
  #rebalancing = false;
  #replacingMember = false;
  /** When the current member last joined (a heartbeat's timestamp is the other sign of life). */
  #lastJoinedAt = 0;
  #partitionCounts = new Map<string, number>();
  #watchdog: NodeJS.Timeout | null = null;
  #partitionCheck: NodeJS.Timeout | null = null;
  #commitRun: Promise<void> | null = null;
  #commitAgain = false;
  /** Set while completions wait out `commitIntervalMs` to be committed together. */
  #commitTimer: NodeJS.Timeout | null = null;
  /** The offsets of the commit in flight (the very array handed to the library, see #onJoined). */
  #commitInFlight: { topic: string; partition: number; offset: bigint; leaderEpoch: number }[] | null = null;
  #closing: Promise<void> | null = null;
  #failure: { readonly error: unknown } | null = null;
  #pendingMemberCloses = new Set<Promise<void>>();
  /** Aborted when the subscription starts closing: ends waits of background work. */
  readonly #stopping = new AbortController();
  #rejoining: Promise<void> | null = null;
  #resolveDone!: () => void;
  #rejectDone!: (error: unknown) => void;

  private constructor(options: ResolvedKafkaBusOptions, subscribe: SubscribeOptions) {
    this.groupId = subscribe.groupId;
    this.#options = subscriptionOptions(options, subscribe);
    this.#busHeartbeatMs = options.heartbeatIntervalMs;
    this.#topics = [...new Set(subscribe.topics)];
    this.#handler = subscribe.handler;
    this.#clientId = `${options.clientId}-${subscribe.groupId}`;
    this.#logger = options.logger.child({ groupId: subscribe.groupId, topics: this.#topics });
    this.#scheduler = new KeyScheduler<HandlerJob>(subscribe.concurrency ?? 1);
    this.#fetchLoop = new FetchLoop(this.#options, this, this.#topics, this.#clientId, this.#logger);
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
  }

  /** Joins the group; resolves once this member has its first assignment. */
  static async start(options: ResolvedKafkaBusOptions, subscribe: SubscribeOptions): Promise<KafkaSubscription> {
    const subscription = new KafkaSubscription(options, subscribe);
    try {
      await subscription.#join();
    } catch (error) {
      await subscription.#teardownAfterFailedStart();
      // The group leader's metadata lookup is the only UserError source here: a missing topic.
      if (isKafkaUserError(error)) throw unknownTopicError(subscribe.topics, error);
      throw toBusError(error, `subscribe (group ${subscribe.groupId})`, {
        groupId: subscribe.groupId,
        topics: subscribe.topics,
      });
    }
    subscription.#fetchLoop.start();
    // On the bus's interval, not a slower one of this subscription: the check is about the
    // session, which does not get longer with the heartbeat.
    subscription.#watchdog = setInterval(() => subscription.#checkSession(), options.heartbeatIntervalMs);
    subscription.#partitionCheck = setInterval(
      () => void subscription.#checkPartitionCounts(false),
      options.partitionCheckIntervalMs,
    );
    return subscription;
  }

  // ---- Subscription -------------------------------------------------------------------------

  assignments(): ReadonlyMap<string, readonly number[]> {
    const byTopic = new Map<string, number[]>();
    for (const state of this.#states.values()) {
      byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition]);
    }
    for (const partitions of byTopic.values()) partitions.sort((a, b) => a - b);
    return byTopic;
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.#closing;
  }

  // ---- FetchHost ----------------------------------------------------------------------------

  get epoch(): number {
    return this.#epoch;
  }

  get held(): boolean {
    return this.#rebalancing || this.#replacingMember || this.#closing !== null || this.#member === null;
  }

  owned(): Iterable<PartitionState> {
    return this.#states.values();
  }

  isOwned(state: PartitionState): boolean {
    return this.#states.get(state.id) === state;
  }

  room(state: PartitionState): number {
    const total = this.#options.maxBufferedMessages;
    return Math.max(0, Math.min(total - this.#scheduler.queued, this.#partitionLimit() - state.buffered));
  }

  wantsMore(state: PartitionState): boolean {
    // Refill at half empty, so a busy partition is fetched in batches rather than one by one.
    return this.room(state) > 0 && state.buffered <= Math.floor(this.#partitionLimit() / 2);
  }

  #partitionLimit(): number {
    return Math.max(1, Math.ceil(this.#options.maxBufferedMessages / Math.max(1, this.#states.size)));
  }

  /** Fetched messages waiting for a handler (not running yet), for tests and diagnostics. */
  bufferedMessages(): number {
    return this.#scheduler.queued;
  }

  async committedOffsets(partitions: ReadonlyMap<string, number[]>): Promise<Map<string, bigint[]>> {
    const member = this.#member;
    if (member === null) throw new RepolensError(ErrorCodes.unavailable, 'no group member', { retryable: true });
    return member.listCommittedOffsets({
      topics: [...partitions].map(([topic, list]) => ({ topic, partitions: list })),
    });
  }

  deliver(state: PartitionState, records: readonly DecodedRecord[]): void {
    for (const { message, leaderEpoch } of records) {
      state.progress.accept(message.offset, leaderEpoch);
      state.buffered++;
      this.#scheduler.enqueue({
        lockKey: lockKeyOf(message),
        lane: state.id,
        state,
        message,
        run: () => this.#run(state, message),
      });
    }
  }

  // ---- group membership ---------------------------------------------------------------------

  /** `memberId`: rejoin as that member (a replaced client), so the group need not wait for it to expire. */
  async #join(memberId: string | null = null): Promise<void> {
    const member = createGroupMember(this.#options, this.groupId, this.#topics, this.#clientId, {
      joined: (payload) => this.#onJoined(member, payload),
      rebalancing: () => this.#onRebalancing(member),
      heartbeatFailed: (error) => this.#onMemberLost(member, error, 'a heartbeat failed'),
      lost: (error) => this.#onMemberLost(member, error, 'rejoining the group failed'),
    });
    if (memberId !== null) member.memberId = memberId;
    this.#member = member;
    this.#lastJoinedAt = Date.now();
    try {
      await member.joinGroup({});
    } catch (error) {
      this.#member = null;
      // Leaving would make the coordinator forget the member id a retry wants to reuse.
      void this.#trackMemberClose(member, { leave: memberId === null });
      throw error;
    }
  }

  #onJoined(member: GroupMember, payload: ConsumerGroupJoinPayload): void {
    if (member !== this.#member || this.#closing !== null) return;
    this.#rebalancing = false;
    this.#lastJoinedAt = Date.now();
    const next = new Set<string>();
    const added: string[] = [];
    for (const { topic, partitions } of payload.assignments ?? []) {
      if (!this.#topics.includes(topic)) continue;
      for (const partition of partitions) {
        const id = partitionId(topic, partition);
        next.add(id);
        if (!this.#states.has(id)) {
          this.#states.set(id, new PartitionState(topic, partition));
          added.push(`${topic}/${partition}`);
        }
      }
    }
    const revoked: string[] = [];
    for (const state of [...this.#states.values()]) {
      if (next.has(state.id)) continue;
      this.#revoke(state, 'the partition was assigned to another member');
      revoked.push(`${state.topic}/${state.partition}`);
    }
    // A commit that failed because of this rebalance is retried by the library right after this
    // event, under the new generation, with the same offsets array: take revoked partitions out
    // of it so their new owner's position is not overwritten.
    const inFlight = this.#commitInFlight;
    if (inFlight !== null) {
      for (let i = inFlight.length - 1; i >= 0; i--) {
        const entry = inFlight[i];
        if (entry !== undefined && !next.has(partitionId(entry.topic, entry.partition))) inFlight.splice(i, 1);
      }
    }
    this.#epoch++;
    this.#logger.info(
      { generationId: payload.generationId, memberId: payload.memberId, added, revoked, owned: this.#states.size },
      'consumer group assignment',
    );
    this.#scheduler.resume();
    this.#fetchLoop.wake();
    void this.#checkPartitionCounts(true);
  }

  #onRebalancing(member: GroupMember): void {
    if (member !== this.#member || this.#closing !== null) return;
    this.#logger.debug({}, 'consumer group rebalance started');
    this.#rebalancing = true;
    // No new handler starts until the new assignment is known (a partition may move away);
    // commit what finished while this generation may still commit.
    this.#scheduler.pause();
    this.#requestCommit({ now: true });
  }

  /**
   * Safety net: no heartbeat and no join for longer than a session (the library stopped
   * heartbeating without saying so, or the event loop was blocked): the coordinator has dropped
   * this member by now.
   */
  #checkSession(): void {
    const member = this.#member;
    if (member === null || this.#rebalancing || this.#closing !== null) return;
    const alive = Math.max(member.lastHeartbeat?.getTime() ?? 0, this.#lastJoinedAt);
    const silentMs = Date.now() - alive;
    if (silentMs > this.#options.sessionTimeoutMs + this.#busHeartbeatMs) {
      this.#onMemberLost(member, undefined, `no heartbeat for ${silentMs} ms`);
    }
  }

  /**
   * The member is out of the group, or soon will be. @platformatic/kafka 1.35 stops heartbeating
   * for good after one failed heartbeat, never looks the coordinator up again once it has one,
   * and gives up after a failed rejoin; a member in any of these states would keep consuming
   * partitions the coordinator hands to others after the session timeout. So: drop its
   * partitions now (their handlers are aborted, what they finish is not committed), close the
   * client, and join again with a fresh one (which looks the coordinator up again).
   */
  #onMemberLost(member: GroupMember, error: unknown, reason: string): void {
    if (member !== this.#member || this.#closing !== null) return;
    this.#logger.warn(
      { ...errorBindings(error), reason },
      'lost the consumer group membership; rejoining with a new member',
    );
    this.#member = null;
    this.#replacingMember = true;
    this.#rebalancing = false;
    for (const state of [...this.#states.values()]) this.#revoke(state, 'the group membership was lost');
    this.#epoch++;
    // No LeaveGroup: the new client rejoins under the same member id, which the coordinator
    // (the old one, or the one that took over) still knows, so the group rebalances at once.
    const abandoned = this.#trackMemberClose(member, { leave: false });
    this.#rejoining = this.#rejoin(abandoned, member.memberId).finally(() => {
      this.#rejoining = null;
    });
  }

  async #rejoin(afterClosing: Promise<void>, memberId: string | null): Promise<void> {
    await afterClosing;
    for (let attempt = 1; this.#closing === null; attempt++) {
      try {
        // An unknown member id (the session expired meanwhile) makes the library join as a new member.
        await this.#join(memberId);
        this.#replacingMember = false;
        this.#fetchLoop.wake();
        return;
      } catch (error) {
        this.#logger.warn({ ...errorBindings(error), attempt }, 'rejoining the consumer group failed');
        await sleep(Math.min(500 * attempt, 10_000), this.#stopping.signal);
      }
    }
  }

  /**
   * Kafka's classic protocol does not rebalance when partitions are added; a rejoin does (the
   * leader's, which every member's check includes). The baseline is taken at each join, from the
   * metadata the library cached while joining (for the leader: what it assigned from).
   */
  async #checkPartitionCounts(baseline: boolean): Promise<void> {
    const member = this.#member;
    if (member === null || this.#closing !== null) return;
    try {
      const metadata = await member.metadata({ topics: [...this.#topics], forceUpdate: !baseline });
      let grown = false;
      for (const topic of this.#topics) {
        const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
        const previous = this.#partitionCounts.get(topic);
        if (!baseline && previous !== undefined && count > previous) grown = true;
        this.#partitionCounts.set(topic, count);
      }
      if (grown && member === this.#member && this.#closing === null) {
        this.#logger.info(
          { partitions: Object.fromEntries(this.#partitionCounts) },
          'partitions were added; rejoining the consumer group',
        );
        await member.joinGroup({});
      }
    } catch (error) {
      this.#logger.debug(errorBindings(error), 'checking partition counts failed');
    }
  }

  #revoke(state: PartitionState, reason: string): void {
    this.#states.delete(state.id);
    // Handlers still running for it are told; what they finish is not committed by us any more.
    state.controller.abort(
      new RepolensError(ErrorCodes.unavailable, `partition revoked: ${reason}`, { retryable: true }),
    );
    this.#scheduler.drop((job) => job.state === state);
    state.buffered = 0;
  }

  #trackMemberClose(member: GroupMember, options: { leave: boolean } = { leave: true }): Promise<void> {
    const closing = closeGroupMember(member, this.#logger, options);
    this.#pendingMemberCloses.add(closing);
    void closing.then(() => this.#pendingMemberCloses.delete(closing));
    return closing;
  }

  // ---- handlers -----------------------------------------------------------------------------

  async #run(state: PartitionState, message: ReceivedMessage): Promise<void> {
    state.buffered = Math.max(0, state.buffered - 1);
    this.#fetchLoop.wake();
    if (!this.isOwned(state) || state.failed || this.#closing !== null) return;
    const { signal } = state.controller;
    try {
      await this.#handler(message, { signal });
    } catch (error) {
      if (signal.aborted) {
        this.#logger.debug({ ...errorBindings(error), offset: String(message.offset) }, 'aborted handler rejected');
        return;
      }
      this.#onHandlerFailed(state, message, error);
      return;
    }
    if (this.isOwned(state) && state.progress.finish(message.offset)) this.#requestCommit();
  }

  #onHandlerFailed(state: PartitionState, message: ReceivedMessage, error: unknown): void {
    state.failed = true;
    this.#logger.error(
      { ...errorBindings(error), topic: message.topic, partition: message.partition, offset: String(message.offset) },
      'handler rejected; stopping the subscription (the message stays uncommitted)',
    );
    this.#failure ??= { error };
    void this.close();
  }

  // ---- commits ------------------------------------------------------------------------------

  /**
   * Commits the watermarks soon: after `commitIntervalMs`, so completions close together share
   * one OffsetCommit (each is a replicated write on the brokers), or at once with `now`. A
   * completion during a commit waits for the interval too; only `now` follows the running
   * commit at once (else a steady stream would commit back to back, about every other message).
   */
  #requestCommit(options: { now?: boolean } = {}): void {
    if (options.now !== true && this.#options.commitIntervalMs > 0) {
      this.#commitTimer ??= setTimeout(() => {
        this.#commitTimer = null;
        this.#requestCommit({ now: true });
      }, this.#options.commitIntervalMs);
      return;
    }
    this.#cancelCommitTimer();
    if (this.#commitRun !== null) {
      this.#commitAgain = true;
      return;
    }
    this.#commitRun = this.#commitLoop();
  }

  async #commitLoop(): Promise<void> {
    try {
      do {
        this.#commitAgain = false;
        await this.#commitOnce();
      } while (this.#commitAgain);
    } finally {
      // In the same turn as the last #commitAgain check: a request after it starts a new run
      // (a `.finally` callback would run a turn later, and a request in between would be lost).
      this.#commitRun = null;
    }
  }

  async #commitOnce(): Promise<void> {
    const member = this.#member;
    if (member === null) return;
    const batch: { state: PartitionState; offset: bigint; leaderEpoch: number }[] = [];
    for (const state of this.#states.values()) {
      const point = state.progress.commitPoint();
      if (point !== null && (state.committed === null || point.offset > state.committed)) {
        batch.push({ state, offset: point.offset, leaderEpoch: point.leaderEpoch });
      }
    }
    if (batch.length === 0) return;
    const offsets = batch.map(({ state, offset, leaderEpoch }) => ({
      topic: state.topic,
      partition: state.partition,
      offset,
      leaderEpoch,
    }));
    this.#commitInFlight = offsets;
    try {
      await member.commit({ offsets });
      for (const { state, offset } of batch) {
        if (state.committed === null || offset > state.committed) state.committed = offset;
      }
      this.#logger.debug(
        { offsets: batch.map(({ state, offset }) => `${state.topic}/${state.partition}@${offset}`) },
        'committed',
      );
    } catch (error) {
      // Typically a rebalance: these partitions may belong to someone else now, who will
      // redeliver what was not committed (at least once).
      this.#logger.warn({ ...errorBindings(error), partitions: batch.length }, 'commit failed');
    } finally {
      this.#commitInFlight = null;
    }
  }

  #cancelCommitTimer(): void {
    if (this.#commitTimer !== null) clearTimeout(this.#commitTimer);
    this.#commitTimer = null;
  }

  async #flushCommits(): Promise<void> {
    this.#cancelCommitTimer();
    while (this.#commitRun !== null) await this.#commitRun;
    await this.#commitOnce();
  }

  // ---- shutdown -----------------------------------------------------------------------------

  async #shutdown(graceMs: number): Promise<void> {
    this.#stopping.abort();
    this.#scheduler.stop();
    if (this.#watchdog !== null) clearInterval(this.#watchdog);
    if (this.#partitionCheck !== null) clearInterval(this.#partitionCheck);
    const fetching = this.#fetchLoop.stop();

    if (this.#scheduler.running > 0) {
      await settleWithin(this.#scheduler.idle(), graceMs);
    }
    if (this.#scheduler.running > 0) {
      this.#logger.warn(
        { running: this.#scheduler.running, graceMs },
        'handlers outlived the grace period; aborting them',
      );
      const reason = new RepolensError(ErrorCodes.timeout, `subscription closed after a ${graceMs} ms grace period`);
      for (const state of this.#states.values()) state.controller.abort(reason);
      await settleWithin(this.#scheduler.idle(), ABORT_SETTLE_MS);
    }

    await this.#flushCommits();
    // A member being replaced finishes its join attempt first, so it is closed below.
    await this.#rejoining;
    const member = this.#member;
    this.#member = null;
    if (member !== null) void this.#trackMemberClose(member);
    await Promise.allSettled([fetching, ...this.#pendingMemberCloses]);
    this.#states.clear();

    if (this.#failure === null) this.#resolveDone();
    else this.#rejectDone(this.#failure.error);
  }

  async #teardownAfterFailedStart(): Promise<void> {
    this.#closing = Promise.resolve();
    await Promise.allSettled([this.#fetchLoop.stop(), ...this.#pendingMemberCloses]);
  }
}
