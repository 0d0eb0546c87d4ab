/**
 * The fetching half of a subscription: a background loop that fetches the partitions the member
 * owns straight from their leaders (Fetch API, at most one request per leader at a time, leaders
 * independent of each other) with a group-less client of its own, so long polls never delay the
 * member's heartbeats and commits.
 *
 * Why not the library's MessagesStream (see README.md): it has no per-partition pause, it resets
 * every partition to the committed offset on each rebalance, a fetch response that was in flight
 * across a rebalance is applied to the new assignment, and any fetch error destroys the stream.
 * Here each fetch is tagged with the subscription's assignment epoch and its results are dropped
 * when the epoch moved; positions of partitions kept across a rebalance stay where they were;
 * a partition whose buffer is full is left out of requests until it drained to half (and its
 * leader is then polled with a short wait so it is refilled promptly); a response is cut to the
 * room left and the rest fetched again later; errors refresh metadata and back the leader off,
 * and the loop carries on (a leader moving is routine).
 */
import { Consumer, ListOffsetTimestamps, type FetchOptions } from '@platformatic/kafka';
import { guardUnknownBrokers } from './client-guards.js';
import { errorTree, isUnavailableError } from './errors.js';
import { errorBindings, type BusLogger } from './logger.js';
import type { ResolvedKafkaBusOptions } from './options.js';
import type { PartitionState } from './partition-state.js';
import { decodeBatches, type DecodedRecord } from './record-batches.js';
import { sleep } from './timing.js';
import { Waker } from './waker.js';

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;
type FetchRequestTopic = FetchOptions<Buffer, Buffer, Buffer, Buffer>['topics'][number];

const OFFSET_OUT_OF_RANGE = 1;
const PARTITION_MAX_BYTES = 1024 * 1024;
const FETCH_MAX_BYTES = 16 * 1024 * 1024;

export interface FetchHost {
  /** Moves whenever the owned partitions change; results fetched under an older epoch are dropped. */
  readonly epoch: number;
  /** While true nothing is fetched (a rebalance is running, the member is being replaced). */
  readonly held: boolean;
  owned(): Iterable<PartitionState>;
  isOwned(state: PartitionState): boolean;
  /** How many more fetched messages the partition may buffer now (backpressure). */
  room(state: PartitionState): number;
  /** Whether the partition's buffer has drained enough to fetch for it again. */
  wantsMore(state: PartitionState): boolean;
  /** The group's committed offsets (-1 or missing: none) for the given partitions. */
  committedOffsets(partitions: ReadonlyMap<string, number[]>): Promise<Map<string, bigint[]>>;
  deliver(state: PartitionState, records: readonly DecodedRecord[]): void;
}

interface PartitionError {
  readonly topicId: string;
  readonly partition: number;
  readonly errorCode: number;
}

function groupByTopic(states: Iterable<PartitionState>): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const state of states) {
    const partitions = byTopic.get(state.topic) ?? [];
    partitions.push(state.partition);
    byTopic.set(state.topic, partitions);
  }
  return byTopic;
}

/** Partition-level errors of a failed Fetch, read from the response the library attaches. */
function partitionErrors(error: unknown): PartitionError[] {
  for (const node of errorTree(error)) {
    const response = (node as { response?: Partial<FetchResponse> }).response;
    if (!Array.isArray(response?.responses)) continue;
    const errors: PartitionError[] = [];
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        if (partition.errorCode !== 0) {
          errors.push({ topicId: topic.topicId, partition: partition.partitionIndex, errorCode: partition.errorCode });
        }
      }
    }
    return errors;
  }
  return [];
}

export class FetchLoop {
  readonly #options: ResolvedKafkaBusOptions;
  readonly #host: FetchHost;
  readonly #topics: string[];
  readonly #logger: BusLogger;
  readonly #client: Consumer;
  readonly #waker = new Waker();
  readonly #stopping = new AbortController();
  /** Leaders with a fetch out (or backing off after a failed one). */
  readonly #busyLeaders = new Set<number>();
  readonly #tasks = new Set<Promise<void>>();
  #metadataStale = false;
  /** Consecutive failures: of preparing fetches (key -1) and per leader. */
  readonly #failures = new Map<number, number>();
  #loop: Promise<void> | null = null;

  constructor(
    options: ResolvedKafkaBusOptions,
    host: FetchHost,
    topics: readonly string[],
    clientId: string,
    logger: BusLogger,
  ) {
    this.#options = options;
    this.#host = host;
    this.#topics = [...topics];
    this.#logger = logger;
    this.#client = guardUnknownBrokers(
      new Consumer({
        clientId,
        bootstrapBrokers: options.brokers,
        // Never joins this group: it only fetches and lists offsets.
        groupId: `${clientId}-fetcher`,
        autocommit: false,
        // The loop handles failures itself (refresh metadata, back off, try again).
        retries: 0,
        metadataMaxAge: options.metadataMaxAgeMs,
      }),
    );
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Something changed (assignment, room in a buffer): look for fetches to start now. */
  wake(): void {
    this.#waker.wake();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#waker.wake();
    // A fetch out now would only bring messages nobody handles any more, and it may wait
    // fetchMaxWaitMs (seconds for a retry tier) or hang on an unreachable broker: closing the
    // client under it ends it at once.
    const loop = this.#loop ?? Promise.resolve();
    try {
      await this.#client.close();
    } catch (error) {
      this.#logger.warn(errorBindings(error), 'closing the fetch client failed');
    }
    await loop;
  }

  get #stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#dispatch();
        this.#failures.delete(-1);
      } catch (error) {
        if (this.#stopped) break;
        await this.#pause(this.#backoffMs(this.#failed(-1, error, 'preparing fetches failed')));
        continue;
      }
      await this.#waker.wait(1_000);
    }
    await Promise.allSettled([...this.#tasks]);
  }

  #backoffMs(failures: number): number {
    return Math.min(100 * 2 ** Math.min(failures, 6), 5_000);
  }

  /** Sleeps, unless the loop is stopped meanwhile. */
  #pause(ms: number): Promise<void> {
    return sleep(ms, this.#stopping.signal);
  }

  /** Records a failure of `source` (a leader, or -1); returns its consecutive failures. */
  #failed(source: number, error: unknown, message: string): number {
    const failures = (this.#failures.get(source) ?? 0) + 1;
    this.#failures.set(source, failures);
    this.#metadataStale = true;
    this.#client.clearMetadata();
    const bindings = { ...errorBindings(error), broker: source, failures, unavailable: isUnavailableError(error) };
    // The first failure and then every tenth: a long outage should not flood the log.
    if (failures === 1 || failures % 10 === 0) this.#logger.warn(bindings, message);
    else this.#logger.debug(bindings, message);
    return failures;
  }

  /** Starts a fetch for every leader that has partitions wanting data and no fetch out. */
  async #dispatch(): Promise<void> {
    if (this.#host.held) return;
    const epoch = this.#host.epoch;
    await this.#initializePositions(epoch);
    if (this.#stopped || epoch !== this.#host.epoch) {
      this.#waker.wake();
      return;
    }
    const ready = [...this.#host.owned()].filter(
      (state) => state.position !== null && !state.failed && !state.fetching,
    );
    const wanting = ready.filter((state) => this.#host.wantsMore(state));
    if (wanting.length === 0) return;

    const metadata = await this.#client.metadata({ topics: this.#topics, forceUpdate: this.#metadataStale });
    this.#metadataStale = false;
    const leaderOf = (state: PartitionState): number | null => {
      const leader = metadata.topics.get(state.topic)?.partitions[state.partition]?.leader;
      return leader === undefined || leader < 0 || !metadata.brokers.has(leader) ? null : leader;
    };
    const topicIds = new Map<string, string>();
    for (const [name, topic] of metadata.topics) if (topic !== undefined) topicIds.set(name, topic.id);
    // Leaders that also hold partitions waiting for room: poll them briefly so those are refilled soon.
    const backpressured = new Set(ready.filter((s) => !this.#host.wantsMore(s)).map(leaderOf));

    const byLeader = new Map<number, PartitionState[]>();
    for (const state of wanting) {
      const leader = leaderOf(state);
      if (leader === null || !topicIds.has(state.topic)) {
        // No leader right now (an election is running): look again shortly.
        this.#metadataStale = true;
        continue;
      }
      if (this.#busyLeaders.has(leader)) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), state]);
    }
    if (this.#metadataStale && byLeader.size === 0) {
      await this.#pause(200);
      this.#waker.wake();
      return;
    }
    for (const [leader, states] of byLeader) {
      const maxWaitMs = backpressured.has(leader)
        ? Math.min(50, this.#options.fetchMaxWaitMs)
        : this.#options.fetchMaxWaitMs;
      this.#busyLeaders.add(leader);
      for (const state of states) state.fetching = true;
      const task = this.#fetchFromLeader(leader, states, topicIds, epoch, maxWaitMs).finally(() => {
        for (const state of states) state.fetching = false;
        this.#busyLeaders.delete(leader);
        this.#tasks.delete(task);
        this.#waker.wake();
      });
      this.#tasks.add(task);
    }
  }

  /** One Fetch to one leader, applied to the partitions if nothing changed meanwhile. Never rejects. */
  async #fetchFromLeader(
    leader: number,
    states: readonly PartitionState[],
    topicIds: ReadonlyMap<string, string>,
    epoch: number,
    maxWaitMs: number,
  ): Promise<void> {
    const offsets = new Map<PartitionState, bigint>(states.map((state) => [state, state.position as bigint]));
    const topicNames = new Map<string, string>();
    const topics = new Map<string, FetchRequestTopic>();
    for (const state of states) {
      const topicId = topicIds.get(state.topic) as string;
      topicNames.set(topicId, state.topic);
      const entry = topics.get(topicId) ?? { topicId, partitions: [] };
      entry.partitions.push({
        partition: state.partition,
        fetchOffset: offsets.get(state) as bigint,
        partitionMaxBytes: PARTITION_MAX_BYTES,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
      topics.set(topicId, entry);
    }
    try {
      const response = await this.#client.fetch({
        node: leader,
        topics: [...topics.values()],
        maxWaitTime: maxWaitMs,
        minBytes: 1,
        maxBytes: FETCH_MAX_BYTES,
      });
      this.#failures.delete(leader);
      if (this.#stopped || epoch !== this.#host.epoch) return;
      this.#apply(response, topicNames, states, offsets);
    } catch (error) {
      if (this.#stopped) return;
      const failures = this.#failed(leader, error, 'a fetch failed; refreshing metadata and retrying');
      try {
        await this.#resetOutOfRange(error, topicNames, states, offsets);
      } catch (resetError) {
        this.#failed(leader, resetError, 'looking up the earliest offsets failed');
      }
      // This leader waits; the others carry on.
      await this.#pause(this.#backoffMs(failures));
    }
  }

  #apply(
    response: FetchResponse,
    topicNames: ReadonlyMap<string, string>,
    states: readonly PartitionState[],
    offsets: ReadonlyMap<PartitionState, bigint>,
  ): void {
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId);
      for (const partitionResponse of topicResponse.partitions) {
        const state = states.find((s) => s.topic === topic && s.partition === partitionResponse.partitionIndex);
        const requested = state === undefined ? undefined : offsets.get(state);
        // Skip what no longer applies: revoked, or repositioned while the fetch was out.
        if (
          state === undefined ||
          requested === undefined ||
          !this.#host.isOwned(state) ||
          state.position !== requested
        )
          continue;
        const decoded = decodeBatches(state.topic, state.partition, partitionResponse.records, requested);
        // A response holds up to 1 MiB per partition; what does not fit the buffer is fetched again later.
        const accepted = decoded.records.slice(0, this.#host.room(state));
        if (accepted.length > 0) this.#host.deliver(state, accepted);
        const firstLeftOut = decoded.records[accepted.length];
        const next = firstLeftOut !== undefined ? firstLeftOut.message.offset : decoded.nextOffset;
        if (next !== null && next > requested) state.position = next;
      }
    }
  }

  async #resetOutOfRange(
    error: unknown,
    topicNames: ReadonlyMap<string, string>,
    states: readonly PartitionState[],
    offsets: ReadonlyMap<PartitionState, bigint>,
  ): Promise<void> {
    const outOfRange = partitionErrors(error)
      .filter((e) => e.errorCode === OFFSET_OUT_OF_RANGE)
      .map((e) => states.find((s) => s.topic === topicNames.get(e.topicId) && s.partition === e.partition))
      .filter((s): s is PartitionState => s !== undefined && this.#host.isOwned(s) && s.position === offsets.get(s));
    if (outOfRange.length === 0) return;
    // auto.offset.reset=earliest: the position fell off the log (retention, deleteRecords).
    const earliest = await this.#client.listOffsets({
      topics: [...new Set(outOfRange.map((s) => s.topic))],
      partitions: Object.fromEntries(groupByTopic(outOfRange)),
      timestamp: ListOffsetTimestamps.EARLIEST,
    });
    for (const state of outOfRange) {
      const offset = earliest.get(state.topic)?.[state.partition];
      if (offset === undefined || !this.#host.isOwned(state) || state.position !== offsets.get(state)) continue;
      this.#logger.warn(
        { topic: state.topic, partition: state.partition, from: String(state.position), to: String(offset) },
        'fetch position out of range; continuing from the earliest retained offset',
      );
      state.position = offset;
    }
  }

  /** Newly assigned partitions start at the group's committed offset, else the earliest retained. */
  async #initializePositions(epoch: number): Promise<void> {
    const pending = [...this.#host.owned()].filter((state) => state.position === null);
    if (pending.length === 0) return;
    const byTopic = groupByTopic(pending);
    const committed = await this.#host.committedOffsets(byTopic);
    const earliest = await this.#client.listOffsets({
      topics: [...byTopic.keys()],
      partitions: Object.fromEntries(byTopic),
      timestamp: ListOffsetTimestamps.EARLIEST,
    });
    if (epoch !== this.#host.epoch) return;
    for (const state of pending) {
      if (!this.#host.isOwned(state) || state.position !== null) continue;
      const fromGroup = committed.get(state.topic)?.[state.partition];
      const fromLog = earliest.get(state.topic)?.[state.partition];
      if (fromGroup !== undefined && fromGroup >= 0n) {
        state.position = fromGroup;
        state.committed = fromGroup;
      } else if (fromLog !== undefined) {
        state.position = fromLog;
      }
      this.#logger.debug(
        {
          topic: state.topic,
          partition: state.partition,
          position: String(state.position),
          committed: String(fromGroup ?? -1n),
        },
        'partition position initialised',
      );
    }
  }
}
