/**
 * Runs jobs with bounded concurrency while keeping each key's jobs strictly sequential: never
 * two jobs of one key at once, and within a lane (a partition) a job starts only when every
 * earlier job of its lane with its key has started. Jobs of other keys overtake a blocked key, so
 * one slow repository does not stall the others (its own partition's commits wait for it, see
 * PartitionProgress). Between lanes there is no order, as between partitions in Kafka: one key
 * on two topics (two lanes) is never run twice at once, but its jobs may start in either order.
 *
 * Lanes take turns: the next job comes from the lane served least recently that has one ready.
 * A fetch delivers one partition's messages after another; served in arrival order, the last
 * partition of a response would wait for all of the others, so a repository's place in line
 * would depend on its key's hash rather than on when it arrived. Jobs enqueued in one turn of
 * the event loop (a whole fetch response) are all queued before any of them starts, so that the
 * first partition does not take every free handler. The in-process bus takes its partitions in
 * turn as well.
 */
export interface KeyedJob {
  readonly lockKey: string;
  /** Jobs of one lane start in arrival order (key permitting); lanes take turns. */
  readonly lane: string;
  /** Never rejects: the owner turns outcomes into state. */
  run(): Promise<void>;
}

interface Lane<J> {
  jobs: J[];
  /** When this lane last had a job started (a count of starts); 0: never. */
  servedAt: number;
}

export class KeyScheduler<J extends KeyedJob> {
  readonly #concurrency: number;
  /** Lanes stay once seen (there is one per partition the subscription ever owned). */
  readonly #lanes = new Map<string, Lane<J>>();
  #queued = 0;
  #starts = 0;
  readonly #busy = new Set<string>();
  #running = 0;
  /** A pump is due at the end of this turn (see enqueue). */
  #pumpQueued = false;
  #paused = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  get queued(): number {
    return this.#queued;
  }

  get running(): number {
    return this.#running;
  }

  enqueue(job: J): void {
    if (this.#stopped) return;
    let lane = this.#lanes.get(job.lane);
    if (lane === undefined) {
      lane = { jobs: [], servedAt: 0 };
      this.#lanes.set(job.lane, lane);
    }
    lane.jobs.push(job);
    this.#queued++;
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Removes queued (not started) jobs matching `predicate`; returns them. */
  drop(predicate: (job: J) => boolean): J[] {
    const dropped: J[] = [];
    for (const lane of this.#lanes.values()) {
      const kept: J[] = [];
      for (const job of lane.jobs) (predicate(job) ? dropped : kept).push(job);
      lane.jobs = kept;
    }
    this.#queued -= dropped.length;
    return dropped;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  /** No job starts any more; queued ones are dropped and returned. */
  stop(): J[] {
    this.#stopped = true;
    return this.drop(() => true);
  }

  /** Resolves when no job is running. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    if (this.#paused || this.#stopped) return;
    while (this.#running < this.#concurrency) {
      const next = this.#nextReady();
      if (next === undefined) return;
      next.lane.jobs.splice(next.index, 1);
      next.lane.servedAt = ++this.#starts;
      this.#queued--;
      this.#start(next.job);
    }
  }

  /** The first job free to start in the lane served least recently that has one. */
  #nextReady(): { lane: Lane<J>; index: number; job: J } | undefined {
    let best: { lane: Lane<J>; index: number; job: J } | undefined;
    for (const lane of this.#lanes.values()) {
      if (best !== undefined && lane.servedAt >= best.lane.servedAt) continue;
      const index = lane.jobs.findIndex((job) => !this.#busy.has(job.lockKey));
      const job = lane.jobs[index];
      if (job !== undefined) best = { lane, index, job };
    }
    return best;
  }

  #start(job: J): void {
    this.#busy.add(job.lockKey);
    this.#running++;
    const settle = (): void => {
      this.#busy.delete(job.lockKey);
      this.#running--;
      if (this.#running === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
      this.#pump();
    };
    void job.run().then(settle, settle);
  }
}
