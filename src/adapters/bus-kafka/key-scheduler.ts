/**
 * Runs jobs with bounded concurrency while keeping each key's jobs strictly sequential and in
 * arrival order: a job starts only when no job with its key is running and every earlier job
 * with its key has started. Jobs of other keys overtake a blocked key, so one slow repository
 * does not stall the others (its own partition's commits wait for it, see PartitionProgress).
 */
export interface KeyedJob {
  readonly lockKey: string;
  /** Never rejects: the owner turns outcomes into state. */
  run(): Promise<void>;
}

export class KeyScheduler<J extends KeyedJob> {
  readonly #concurrency: number;
  #queue: J[] = [];
  readonly #busy = new Set<string>();
  #running = 0;
  #paused = false;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get running(): number {
    return this.#running;
  }

  enqueue(job: J): void {
    if (this.#stopped) return;
    this.#queue.push(job);
    this.#pump();
  }

  /** Removes queued (not started) jobs matching `predicate`; returns them. */
  drop(predicate: (job: J) => boolean): J[] {
    const dropped = this.#queue.filter(predicate);
    if (dropped.length > 0) this.#queue = this.#queue.filter((job) => !predicate(job));
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
    const dropped = this.#queue;
    this.#queue = [];
    return dropped;
  }

  /** Resolves when no job is running. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    if (this.#paused || this.#stopped) return;
    for (let i = 0; i < this.#queue.length && this.#running < this.#concurrency;) {
      const job = this.#queue[i];
      if (job === undefined || this.#busy.has(job.lockKey)) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#start(job);
    }
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
