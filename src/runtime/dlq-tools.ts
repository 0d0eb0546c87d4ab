/**
 * The dead-letter queue's tools (`repolens dlq …`, and later the API). Records are named by
 * their stable position `repository.dlq:<partition>:<offset>`. Kafka cannot delete single
 * records, so replay leaves the record in place; purge removes everything older than a time.
 */
import { Headers } from '../contracts/headers.js';
import { Topics } from '../contracts/topics.js';
import { ErrorCodes, RepolensError } from '../domain/errors.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { MessageBus, ReceivedMessage } from '../ports/message-bus.js';
import { buildReplay } from './dead-letter.js';

export interface DlqEntry {
  readonly id: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly originalTopic: string;
  readonly originalPartition: string;
  readonly originalOffset: string;
  readonly consumerGroup: string;
  readonly service: string;
  readonly attempt: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly failedAt: string;
  readonly sizeBytes: number;
}

export interface DlqRecord extends DlqEntry {
  readonly headers: Readonly<Record<string, string>>;
  /** The value as text when it is valid UTF-8, otherwise base64 with `valueEncoding` saying so. */
  readonly value: string;
  readonly valueEncoding: 'utf8' | 'base64';
  readonly errorStack: string;
}

export function dlqId(partition: number, offset: bigint): string {
  return `${Topics.dlq}:${partition}:${offset}`;
}

export function parseDlqId(id: string): { partition: number; offset: bigint } {
  const match = /^repository\.dlq:(\d+):(\d+)$/.exec(id);
  if (match === null) {
    throw new RepolensError(
      ErrorCodes.inputInvalid,
      `"${id}" is not a DLQ id; ids look like ${Topics.dlq}:<partition>:<offset>`,
    );
  }
  return { partition: Number(match[1]), offset: BigInt(match[2] as string) };
}

function entryOf(record: ReceivedMessage): DlqEntry {
  const h = record.headers;
  return {
    id: dlqId(record.partition, record.offset),
    partition: record.partition,
    offset: record.offset.toString(),
    key: record.key?.toString('utf8') ?? null,
    originalTopic: h[Headers.originalTopic] ?? '',
    originalPartition: h[Headers.originalPartition] ?? '',
    originalOffset: h[Headers.originalOffset] ?? '',
    consumerGroup: h[Headers.consumerGroup] ?? '',
    service: h[Headers.service] ?? '',
    attempt: Number(h[Headers.attempt] ?? 0),
    errorCode: h[Headers.errorCode] ?? '',
    errorMessage: h[Headers.errorMessage] ?? '',
    failedAt: h[Headers.failedAt] ?? new Date(record.timestamp).toISOString(),
    sizeBytes: record.value.length,
  };
}

function recordOf(record: ReceivedMessage): DlqRecord {
  let value: string;
  let valueEncoding: DlqRecord['valueEncoding'] = 'utf8';
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(record.value);
  } catch {
    value = record.value.toString('base64');
    valueEncoding = 'base64';
  }
  return {
    ...entryOf(record),
    headers: record.headers,
    value,
    valueEncoding,
    errorStack: record.headers[Headers.errorStack] ?? '',
  };
}

export function createDlqTools(deps: { admin: BusAdmin; bus: MessageBus }) {
  async function readOne(id: string): Promise<ReceivedMessage> {
    const { partition, offset } = parseDlqId(id);
    const [record] = await deps.admin.readMessages(Topics.dlq, { from: new Map([[partition, offset]]), limit: 1 });
    if (record === undefined || record.partition !== partition || record.offset !== offset) {
      throw new RepolensError('REPOLENS_NOT_FOUND', `no DLQ record ${id} (it may have been purged or expired)`);
    }
    return record;
  }

  return {
    async list(): Promise<DlqEntry[]> {
      return (await deps.admin.readMessages(Topics.dlq)).map(entryOf);
    },

    async show(id: string): Promise<DlqRecord> {
      return recordOf(await readOne(id));
    },

    /** Sends records back to their original topics with the retry count reset. Returns the ids replayed. */
    async replay(selection: { ids: readonly string[] } | { all: true }): Promise<string[]> {
      const records =
        'all' in selection ? await deps.admin.readMessages(Topics.dlq) : await Promise.all(selection.ids.map(readOne));
      if (records.length > 0) await deps.bus.produce(records.map(buildReplay));
      return records.map((r) => dlqId(r.partition, r.offset));
    },

    /** Deletes every record that failed before `before`. Returns how many were removed. */
    async purge(before: Date): Promise<number> {
      const records = await deps.admin.readMessages(Topics.dlq);
      const cutoff = before.getTime();
      const firstKept = new Map<number, bigint>();
      let removed = 0;
      for (const record of records) {
        if (firstKept.has(record.partition)) continue;
        if (record.timestamp >= cutoff) firstKept.set(record.partition, record.offset);
        else removed++;
      }
      const ends = await deps.admin.endOffsets(Topics.dlq);
      for (const [partition, end] of ends) {
        const offset = firstKept.get(partition) ?? end;
        await deps.admin.deleteRecordsBefore(Topics.dlq, partition, offset);
      }
      return removed;
    },
  };
}

export type DlqTools = ReturnType<typeof createDlqTools>;
