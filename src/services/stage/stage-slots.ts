/**
 * How many stages run in this process, and the rule that repositories already under way go
 * first: the next stage of a repository in progress (a `completed` task) starts at once, while a
 * new repository or run (a discovery, a `pending` task) starts only while fewer than `limit`
 * stages run, in the order they asked.
 *
 * Why: each consumer group has its own handlers, so a worker's discovery handlers would start a
 * clone whenever one of them is free, however many stages of repositories already under way the
 * worker runs; in bench:pipeline every free discovery handler cloned yet another repository
 * while started ones waited (README.md). With this count a busy worker takes on no new
 * repository until it has capacity, and the workspace holds fewer clones waiting for their next
 * stage.
 */
export class StageSlots {
  readonly #limit: number;
  #running = 0;
  /** New repositories waiting for a slot, oldest first. */
  readonly #waiting: { readonly admit: () => void }[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** Stages running now (counted from admission to the end of `work`). */
  get running(): number {
    return this.#running;
  }

  /** New repositories waiting to start. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs the first stage of a new repository once fewer than `limit` stages run and every
   * repository that asked earlier has started. Rejects with the signal's reason, without
   * running `work`, if the signal aborts first.
   */
  async startRepository<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    if (this.#running < this.#limit && this.#waiting.length === 0) this.#running++;
    else await this.#admission(signal);
    return this.#runCounted(work);
  }

  /** Runs a stage of a repository already under way: never waits, but counts while it runs. */
  continueRepository<T>(work: () => Promise<T>): Promise<T> {
    this.#running++;
    return this.#runCounted(work);
  }

  /** Resolves with a slot taken on this caller's behalf (so nobody can take it in between). */
  #admission(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  async #runCounted<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.#running--;
      this.#admitWaiting();
    }
  }

  #admitWaiting(): void {
    while (this.#running < this.#limit) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      this.#running++;
      next.admit();
    }
  }
}
