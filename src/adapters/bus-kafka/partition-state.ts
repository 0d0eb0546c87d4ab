/** What a subscription knows about one partition it owns, from assignment until revocation. */
import { PartitionProgress } from './partition-progress.js';

export function partitionId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class PartitionState {
  readonly id: string;
  readonly progress = new PartitionProgress();
  /** Aborts the handlers of this partition: on revocation, or at close past the grace period. */
  readonly controller = new AbortController();
  /** Next offset to fetch; null until the committed (or earliest) offset has been looked up. */
  position: bigint | null = null;
  /** A fetch for this partition is in flight. */
  fetching = false;
  /** Fetched messages waiting for a handler. */
  buffered = 0;
  /** The offset last committed for the group (ours, or found at assignment). */
  committed: bigint | null = null;
  /** A handler rejected: nothing more is fetched or committed past that message. */
  failed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    this.id = partitionId(topic, partition);
  }
}
