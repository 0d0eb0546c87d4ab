/**
 * The commit watermark of one partition. Offsets are accepted in fetch order (ascending) and
 * finish in any order; the commit point is the offset after the longest finished prefix, so a
 * message that is still running (or failed) holds back everything behind it on its partition.
 */
interface Entry {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  done: boolean;
}

export interface CommitPoint {
  /** The next offset to consume: the last finished offset + 1 (what Kafka stores). */
  readonly offset: bigint;
  readonly leaderEpoch: number;
}

export class PartitionProgress {
  /** Accepted, not yet part of the finished prefix, ascending; `head` is the first live one. */
  #entries: Entry[] = [];
  #head = 0;
  readonly #byOffset = new Map<bigint, Entry>();
  #point: CommitPoint | null = null;

  accept(offset: bigint, leaderEpoch: number): void {
    const entry: Entry = { offset, leaderEpoch, done: false };
    this.#entries.push(entry);
    this.#byOffset.set(offset, entry);
  }

  /** Marks an accepted offset finished; returns true when the commit point moved. */
  finish(offset: bigint): boolean {
    const entry = this.#byOffset.get(offset);
    if (entry === undefined || entry.done) return false;
    entry.done = true;
    let moved = false;
    while (this.#head < this.#entries.length) {
      const first = this.#entries[this.#head];
      if (first === undefined || !first.done) break;
      this.#point = { offset: first.offset + 1n, leaderEpoch: first.leaderEpoch };
      this.#byOffset.delete(first.offset);
      this.#head++;
      moved = true;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return moved;
  }

  /** Where a commit should point now, or null when nothing finished since the partition was assigned. */
  commitPoint(): CommitPoint | null {
    return this.#point;
  }

  /** Accepted offsets not yet in the finished prefix (running, waiting or failed). */
  get outstanding(): number {
    return this.#entries.length - this.#head;
  }
}
