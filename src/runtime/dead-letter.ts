/**
 * Dead-letter records and their replay (DESIGN.md §1). A record keeps the original key and
 * value bytes untouched — the value may not even be JSON — and says where it came from and why
 * it failed in `x-…` headers. Replay sends it back to its original topic with the retry count
 * reset, so it gets the full retry policy again.
 */
import { DLQ_HEADERS, Headers, MAX_ERROR_STACK_BYTES } from '../contracts/headers.js';
import { Topics } from '../contracts/topics.js';
import { TaskMessageSchema } from '../contracts/task-message.js';
import { failureCode } from '../domain/retry-policy.js';
import { redactSecrets, truncateUtf8 } from '../domain/redaction.js';
import type { OutgoingMessage, ReceivedMessage } from '../ports/message-bus.js';
import { describeError, originHeaders } from './retry-envelope.js';

export interface DeadLetterRequest {
  readonly received: ReceivedMessage;
  readonly groupId: string;
  readonly service: string;
  /** 1 for the first handling, 4 after the third retry. */
  readonly attempt: number;
  readonly error: unknown;
  readonly failedAt: number;
}

export function buildDeadLetter(request: DeadLetterRequest): OutgoingMessage {
  const { received, error } = request;
  const stack = error instanceof Error && error.stack !== undefined ? error.stack : String(error);
  return {
    topic: Topics.dlq,
    key: received.key,
    value: received.value,
    headers: {
      ...received.headers,
      ...originHeaders(received),
      [Headers.consumerGroup]: request.groupId,
      [Headers.service]: request.service,
      [Headers.attempt]: String(request.attempt),
      [Headers.errorCode]: failureCode(error),
      [Headers.errorMessage]: describeError(error),
      [Headers.errorStack]: truncateUtf8(redactSecrets(stack), MAX_ERROR_STACK_BYTES),
      [Headers.failedAt]: new Date(request.failedAt).toISOString(),
    },
  };
}

/** Headers that describe one failure; a replayed message starts without them. */
const FAILURE_HEADERS: readonly string[] = [...DLQ_HEADERS, Headers.retryCount, Headers.lastError, Headers.dueAt];

/** Task bodies carry their retry count; reset it when the body is a valid task. */
function resetTaskRetries(value: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return value;
  }
  const task = TaskMessageSchema.safeParse(parsed);
  if (!task.success) return value;
  const { last_error: _dropped, ...metadata } = task.data.metadata;
  return Buffer.from(JSON.stringify({ ...task.data, metadata: { ...metadata, retry_count: 0 } }), 'utf8');
}

export function buildReplay(record: ReceivedMessage): OutgoingMessage {
  const original = record.headers[Headers.originalTopic];
  if (original === undefined || original === '') {
    throw new Error(
      `DLQ record ${record.topic}:${record.partition}:${record.offset} has no ${Headers.originalTopic} header`,
    );
  }
  const headers = Object.fromEntries(
    Object.entries(record.headers).filter(([name]) => !FAILURE_HEADERS.includes(name)),
  );
  const value = original === Topics.tasks ? resetTaskRetries(record.value) : record.value;
  return { topic: original, key: record.key, value, headers };
}
