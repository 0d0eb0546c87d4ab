/**
 * A member's view of one partition it owns: the records read but not yet started (`pending`), the
 * handlers running (`inFlight`), and the commit position. Nothing remembers finished offsets: the
 * position is the lowest offset still outstanding (pending, running or failed), or the fetch
 * offset when nothing is, which is exactly the contiguous watermark of finished messages.
 */
import type { PartitionLog, StoredRecord } from './partition-log.js';

export interface PendingRecord {
  readonly record: StoredRecord;
  /** The key's bytes as a string (latin1: one char per byte), null for records without a key. */
  readonly keyId: string | null;
}

export interface InFlight {
  readonly controller: AbortController;
  readonly keyId: string | null;
}

/** active: dispatching; revoking: finishing what runs, starting nothing; released: never commits again. */
export type PartitionStatus = 'active' | 'revoking' | 'released';

export interface BufferLimits {
  /** Records read ahead per partition. */
  readonly maxPending: number;
  /** Most offsets between the commit position and the fetch offset (bounds work past a stuck message). */
  readonly maxWindow: number;
}

export class PartitionConsumer {
  status: PartitionStatus = 'active';
  readonly inFlight = new Map<bigint, InFlight>();
  private readonly pending: PendingRecord[] = [];
  private fetchOffset: bigint;
  private failedOffset: bigint | undefined;
  /** The last commit, or where consumption started: commits only ever move forward from it. */
  private committed: bigint;
  private readonly detach: () => void;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly log: PartitionLog,
    committed: bigint | undefined,
    onAppend: () => void,
  ) {
    // No commit yet: the earliest retained record (auto.offset.reset=earliest).
    this.fetchOffset = committed ?? log.startOffset();
    this.committed = this.fetchOffset;
    this.detach = log.onAppend(onAppend);
  }

  /** Reads more records into `pending`, within the limits. */
  refill(limits: BufferLimits): void {
    if (this.status !== 'active') return;
    // Records below the start offset were deleted or expired: continue from the earliest retained.
    const start = this.log.startOffset();
    if (this.fetchOffset < start) this.fetchOffset = start;
    const room = Math.min(
      limits.maxPending - this.pending.length,
      limits.maxWindow - Number(this.fetchOffset - this.position()),
    );
    if (room <= 0) return;
    for (const record of this.log.read(this.fetchOffset, room)) {
      this.pending.push({ record, keyId: record.key === null ? null : record.key.toString('latin1') });
      this.fetchOffset = record.offset + 1n;
    }
  }

  /**
   * Takes the first pending record that may start now: its key is not running (`runningKeys`)
   * and no earlier pending record has the same key, so each key keeps its order.
   */
  takeRunnable(runningKeys: ReadonlySet<string>): PendingRecord | undefined {
    if (this.status !== 'active') return undefined;
    const passed = new Set<string>();
    for (let i = 0; i < this.pending.length; i++) {
      const entry = this.pending[i]!;
      if (entry.keyId === null || (!runningKeys.has(entry.keyId) && !passed.has(entry.keyId))) {
        this.pending.splice(i, 1);
        return entry;
      }
      passed.add(entry.keyId);
    }
    return undefined;
  }

  /** The offset to commit: every message below it has finished. */
  position(): bigint {
    let position = this.fetchOffset;
    const first = this.pending[0];
    if (first !== undefined && first.record.offset < position) position = first.record.offset;
    for (const offset of this.inFlight.keys()) if (offset < position) position = offset;
    if (this.failedOffset !== undefined && this.failedOffset < position) position = this.failedOffset;
    return position;
  }

  /** A handler rejected: this offset (and so everything after it) stays uncommitted. */
  markFailed(offset: bigint): void {
    if (this.failedOffset === undefined || offset < this.failedOffset) this.failedOffset = offset;
  }

  /** The position to commit, when it moved past the last commit; undefined otherwise. */
  commitCandidate(): bigint | undefined {
    if (this.status === 'released') return undefined;
    const position = this.position();
    return position > this.committed ? position : undefined;
  }

  markCommitted(offset: bigint): void {
    this.committed = offset;
  }

  /** Stops for good: no more reads, no more commits. Returns the handlers still running (not yet aborted). */
  release(): InFlight[] {
    if (this.status !== 'released') {
      this.status = 'released';
      this.detach();
      this.pending.length = 0;
    }
    return [...this.inFlight.values()];
  }
}
