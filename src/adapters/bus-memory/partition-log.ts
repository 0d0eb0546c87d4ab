/**
 * One partition: an append-only log of records with offsets. Records below the start offset are
 * gone (DeleteRecords or retention); retention is applied lazily, whenever the log is touched.
 */
import type { ReceivedMessage } from '../../ports/message-bus.js';

export interface StoredRecord {
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Append time, ms since the epoch. */
  readonly timestamp: number;
}

export interface RetentionPolicy {
  now(): number;
  /** Records older than this many ms are dropped; null keeps them forever. */
  retentionMs(): number | null;
}

/** Dropped head slots are compacted away once there are this many of them (and they are half the array). */
const COMPACT_AFTER = 1024;

export class PartitionLog {
  /** records[head] has offset `start`; slots before `head` are dropped records awaiting compaction. */
  private records: StoredRecord[] = [];
  private head = 0;
  private start = 0n;
  private end = 0n;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly policy: RetentionPolicy) {}

  /** Earliest retained offset. */
  startOffset(): bigint {
    this.expire();
    return this.start;
  }

  /** The offset the next record will get. */
  endOffset(): bigint {
    return this.end;
  }

  append(key: Buffer | null, value: Buffer, headers: Readonly<Record<string, string>>): StoredRecord {
    this.expire();
    const record: StoredRecord = { offset: this.end, key, value, headers, timestamp: this.policy.now() };
    this.records.push(record);
    this.end += 1n;
    for (const listener of this.listeners) listener();
    return record;
  }

  /** Up to `max` retained records from `from` on (from the start offset when `from` is below it). */
  read(from: bigint, max: number): StoredRecord[] {
    this.expire();
    const first = from < this.start ? this.start : from;
    if (first >= this.end || max <= 0) return [];
    const index = this.head + Number(first - this.start);
    return this.records.slice(index, index + max);
  }

  /** Drops every record below `offset` (which must not be past the end). */
  deleteBefore(offset: bigint): void {
    if (offset <= this.start) return;
    this.dropHead(Number(offset - this.start));
  }

  /** Calls `listener` synchronously after every append, until the returned function is called. */
  onAppend(listener: () => void): () => void {
    const wrapped = (): void => listener();
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  private expire(): void {
    const retentionMs = this.policy.retentionMs();
    if (retentionMs === null) return;
    const cutoff = this.policy.now() - retentionMs;
    let count = 0;
    // Append times are (almost) monotonic, so the expired records are a prefix of the log.
    while (this.head + count < this.records.length && this.records[this.head + count]!.timestamp < cutoff) count++;
    if (count > 0) this.dropHead(count);
  }

  private dropHead(count: number): void {
    const dropped = Math.min(count, this.records.length - this.head);
    this.head += dropped;
    this.start += BigInt(dropped);
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }
}

/** A stored record as handed to a handler or reader. */
export function toReceivedMessage(topic: string, partition: number, record: StoredRecord): ReceivedMessage {
  // Copies, so a handler that mutates its buffers cannot change what a redelivery sees.
  return {
    topic,
    partition,
    offset: record.offset,
    key: record.key === null ? null : Buffer.from(record.key),
    value: Buffer.from(record.value),
    headers: record.headers,
    timestamp: record.timestamp,
  };
}
