/**
 * Decodes the record batches of a raw Fetch response into ReceivedMessages. The fetchers here
 * talk to the Fetch API directly (see README.md), so they skip control batches (transaction
 * markers) and the records a broker returns from before the requested offset themselves.
 */
import type { RecordsBatch } from '@platformatic/kafka';
import type { MessageHeaders, ReceivedMessage } from '../../ports/message-bus.js';

const IS_CONTROL = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;

export interface DecodedRecord {
  readonly message: ReceivedMessage;
  /** The partition leader epoch the record was written in (committed with its offset). */
  readonly leaderEpoch: number;
}

export interface DecodedBatches {
  readonly records: DecodedRecord[];
  /** Offset after the last record the batches cover (control records included), or null if none. */
  readonly nextOffset: bigint | null;
}

function decodeHeaders(raw: readonly (readonly [Buffer | null, Buffer | null])[]): MessageHeaders {
  const headers: Record<string, string> = {};
  for (const [key, value] of raw) {
    if (key === null) continue;
    headers[key.toString('utf8')] = value === null ? '' : value.toString('utf8');
  }
  return headers;
}

export function decodeBatches(
  topic: string,
  partition: number,
  batches: readonly RecordsBatch[] | undefined,
  fromOffset: bigint,
): DecodedBatches {
  const records: DecodedRecord[] = [];
  let nextOffset: bigint | null = null;
  for (const batch of batches ?? []) {
    const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (nextOffset === null || batchEnd > nextOffset) nextOffset = batchEnd;
    if ((batch.attributes & IS_CONTROL) !== 0) continue;
    const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < fromOffset) continue;
      const timestamp = logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta;
      records.push({
        leaderEpoch: batch.partitionLeaderEpoch,
        message: {
          topic,
          partition,
          offset,
          key: record.key,
          value: record.value ?? Buffer.alloc(0),
          headers: decodeHeaders(record.headers),
          timestamp: Number(timestamp),
        },
      });
    }
  }
  return { records, nextOffset };
}
