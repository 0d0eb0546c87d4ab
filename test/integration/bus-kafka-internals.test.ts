/**
 * The Kafka adapter's pure parts, without a broker: the commit watermark, the key-ordered
 * scheduler, record-batch decoding and error classification.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { MultipleErrors, NetworkError, ProtocolError, UserError, type RecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { isUnavailableError, toBusError } from '../../src/adapters/bus-kafka/errors.js';
import { KeyScheduler, type KeyedJob } from '../../src/adapters/bus-kafka/key-scheduler.js';
import { PartitionProgress } from '../../src/adapters/bus-kafka/partition-progress.js';
import { decodeBatches } from '../../src/adapters/bus-kafka/record-batches.js';
import { ErrorCodes } from '../../src/domain/errors.js';

describe('PartitionProgress (commit watermark)', () => {
  it('advances only over a contiguous finished prefix', () => {
    const progress = new PartitionProgress();
    for (const offset of [10n, 11n, 12n, 13n]) progress.accept(offset, 7);
    expect(progress.commitPoint()).toBeNull();
    expect(progress.finish(12n)).toBe(false);
    expect(progress.commitPoint()).toBeNull();
    expect(progress.finish(10n)).toBe(true);
    expect(progress.commitPoint()).toEqual({ offset: 11n, leaderEpoch: 7 });
    expect(progress.finish(11n)).toBe(true);
    expect(progress.commitPoint()).toEqual({ offset: 13n, leaderEpoch: 7 });
    expect(progress.outstanding).toBe(1);
  });

  it('skips offset gaps (control records) and ignores unknown or repeated offsets', () => {
    const progress = new PartitionProgress();
    progress.accept(5n, 1);
    progress.accept(8n, 2);
    expect(progress.finish(99n)).toBe(false);
    progress.finish(5n);
    expect(progress.finish(5n)).toBe(false);
    progress.finish(8n);
    expect(progress.commitPoint()).toEqual({ offset: 9n, leaderEpoch: 2 });
  });

  it('stays correct over many offsets (compaction of its queue)', () => {
    const progress = new PartitionProgress();
    for (let i = 0n; i < 5000n; i++) progress.accept(i, 0);
    for (let i = 4999n; i >= 1n; i--) progress.finish(i);
    expect(progress.commitPoint()).toBeNull();
    progress.finish(0n);
    expect(progress.commitPoint()?.offset).toBe(5000n);
    expect(progress.outstanding).toBe(0);
  });
});

describe('KeyScheduler', () => {
  interface Job extends KeyedJob {
    readonly id: string;
  }

  it('never runs one key twice at once, keeps each key in order, and respects the concurrency', async () => {
    const scheduler = new KeyScheduler<Job>(3);
    const running = new Set<string>();
    const order = new Map<string, number[]>();
    let peak = 0;
    let overlaps = 0;
    for (let i = 0; i < 60; i++) {
      const key = `k${i % 5}`;
      scheduler.enqueue({
        id: String(i),
        lockKey: key,
        // A key lives on one partition; two partitions hold the five keys.
        lane: `p${(i % 5) % 2}`,
        run: async () => {
          if (running.has(key)) overlaps++;
          running.add(key);
          peak = Math.max(peak, running.size);
          await delay(1 + (i % 3));
          running.delete(key);
          order.set(key, [...(order.get(key) ?? []), i]);
        },
      });
    }
    await delay(10);
    await scheduler.idle();
    expect(overlaps).toBe(0);
    expect(peak).toBe(3);
    for (const sequence of order.values()) expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect([...order.values()].flat()).toHaveLength(60);
  });

  it('lets other keys overtake a blocked key, and drops or stops on demand', async () => {
    const scheduler = new KeyScheduler<Job>(2);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const done: string[] = [];
    const job = (id: string, lockKey: string, wait?: Promise<void>): Job => ({
      id,
      lockKey,
      lane: 'p0',
      run: async () => {
        await wait;
        done.push(id);
      },
    });
    scheduler.enqueue(job('a1', 'a', blocked));
    scheduler.enqueue(job('a2', 'a'));
    scheduler.enqueue(job('b1', 'b'));
    scheduler.enqueue(job('c1', 'c'));
    await delay(5);
    expect(done).toEqual(['b1', 'c1']);
    expect(scheduler.drop((j) => j.id === 'a2').map((j) => j.id)).toEqual(['a2']);
    scheduler.enqueue(job('d1', 'd'));
    await delay(5);
    scheduler.pause();
    scheduler.enqueue(job('e1', 'e'));
    await delay(5);
    expect(done).toEqual(['b1', 'c1', 'd1']);
    expect(scheduler.stop().map((j) => j.id)).toEqual(['e1']);
    release();
    await scheduler.idle();
    expect(done).toEqual(['b1', 'c1', 'd1', 'a1']);
  });

  it('takes jobs from its lanes in turn, however they arrived, the least recently served lane first', async () => {
    const scheduler = new KeyScheduler<Job>(1);
    const started: string[] = [];
    const job = (id: string, lane: string, onStart?: () => void): Job => ({
      id,
      lockKey: id,
      lane,
      run: async () => {
        started.push(id);
        onStart?.();
        await delay(1);
      },
    });
    // A partition first heard of while b1 runs: its turn comes before those served already.
    const d1 = job('d1', 'p3');
    // One fetch response: partition 0's messages, then partition 1's, then partition 2's.
    for (const id of ['a1', 'a2', 'a3']) scheduler.enqueue(job(id, 'p0'));
    scheduler.enqueue(job('b1', 'p1', () => scheduler.enqueue(d1)));
    scheduler.enqueue(job('b2', 'p1'));
    scheduler.enqueue(job('c1', 'p2'));
    while (scheduler.queued > 0 || scheduler.running > 0) await scheduler.idle().then(() => delay(2));
    expect(started).toEqual(['a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'a3']);
  });

  it('queues what arrives in one turn before starting any of it, so free handlers go to every lane', async () => {
    const scheduler = new KeyScheduler<Job>(3);
    const started: string[] = [];
    const job = (id: string, lane: string): Job => ({
      id,
      lockKey: id,
      lane,
      run: async () => {
        started.push(id);
        await delay(1);
      },
    });
    for (const id of ['a1', 'a2', 'a3']) scheduler.enqueue(job(id, 'p0'));
    for (const id of ['b1', 'b2']) scheduler.enqueue(job(id, 'p1'));
    scheduler.enqueue(job('c1', 'p2'));
    await delay(0);
    expect(started).toEqual(['a1', 'b1', 'c1']);
    while (scheduler.queued > 0 || scheduler.running > 0) await scheduler.idle().then(() => delay(2));
    expect(started).toHaveLength(6);
  });
});

describe('decodeBatches', () => {
  const batch = (
    firstOffset: bigint,
    records: { key: string | null; value: string }[],
    attributes = 0,
  ): RecordsBatch => ({
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 4,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: records.length - 1,
    firstTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_500n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    records: records.map((r, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: r.key === null ? null : Buffer.from(r.key),
      value: Buffer.from(r.value),
      headers: [[Buffer.from('h'), Buffer.from(`v${i}`)]],
    })),
  });

  it('skips records before the requested offset and control batches, and reports where to continue', () => {
    const decoded = decodeBatches(
      't',
      2,
      [
        batch(10n, [
          { key: 'a', value: '10' },
          { key: 'b', value: '11' },
        ]),
        batch(12n, [{ key: null, value: 'marker' }], 1 << 5),
        batch(13n, [{ key: null, value: '13' }]),
      ],
      11n,
    );
    expect(decoded.records.map((r) => [Number(r.message.offset), r.message.value.toString()])).toEqual([
      [11, '11'],
      [13, '13'],
    ]);
    expect(decoded.records[0]?.message).toMatchObject({ topic: 't', partition: 2, headers: { h: 'v1' } });
    expect(decoded.records[0]?.message.timestamp).toBe(1_700_000_000_001);
    expect(decoded.records[1]?.message.key).toBeNull();
    expect(decoded.records[0]?.leaderEpoch).toBe(4);
    expect(decoded.nextOffset).toBe(14n);
    expect(decodeBatches('t', 0, undefined, 0n)).toEqual({ records: [], nextOffset: null });
  });

  it('uses the batch time for log-append-time topics', () => {
    const decoded = decodeBatches('t', 0, [batch(0n, [{ key: 'k', value: 'v' }], 1 << 3)], 0n);
    expect(decoded.records[0]?.message.timestamp).toBe(1_700_000_000_500);
  });
});

describe('error classification', () => {
  it('treats network failures, also nested in retries, as REPOLENS_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const nested = new MultipleErrors('metadata failed 4 times.', [
      new NetworkError('Connection failed.', { cause: refused }),
    ]);
    expect(isUnavailableError(nested)).toBe(true);
    const mapped = toBusError(nested, 'produce');
    expect(mapped).toMatchObject({ code: ErrorCodes.unavailable, retryable: true });
    expect(mapped.cause).toBe(nested);
  });

  it('treats retriable protocol errors as unavailable and invalid requests as input errors', () => {
    expect(toBusError(new ProtocolError('NOT_ENOUGH_REPLICAS'), 'produce')).toMatchObject({
      code: ErrorCodes.unavailable,
      details: { kafkaErrors: ['NOT_ENOUGH_REPLICAS'] },
    });
    expect(toBusError(new ProtocolError('MESSAGE_TOO_LARGE'), 'produce')).toMatchObject({
      code: ErrorCodes.inputInvalid,
      retryable: false,
    });
    expect(toBusError(new UserError('something odd'), 'produce')).toMatchObject({ code: ErrorCodes.internal });
  });
});
