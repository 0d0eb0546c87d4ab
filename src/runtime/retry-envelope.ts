/**
 * How a failed message travels to a retry tier and how its retry count is read back
 * (DESIGN.md §1): task messages carry it in `metadata.retry_count` / `metadata.last_error`;
 * the other topics, which have no metadata field, in `x-retry-count` / `x-last-error` headers.
 * Every retry carries `x-due-at`, and the first failure's location in `x-original-*`.
 */
import { Headers } from '../contracts/headers.js';
import { RETRY_TIERS, Topics, retryTopicName, type MessageTopic } from '../contracts/topics.js';
import { encodeMessage, type MessageByTopic } from '../contracts/validation.js';
import { redactSecrets, truncateUtf8 } from '../domain/redaction.js';
import type { MessageHeaders, OutgoingMessage, ReceivedMessage } from '../ports/message-bus.js';

/** last_error is for people; keep it short enough to read in a table. */
const MAX_LAST_ERROR_BYTES = 1024;

export function retriesSoFar<T extends MessageTopic>(
  topic: T,
  message: MessageByTopic[T] | undefined,
  headers: MessageHeaders,
): number {
  if (topic === Topics.tasks && message !== undefined) {
    return (message as MessageByTopic[typeof Topics.tasks]).metadata.retry_count;
  }
  const raw = headers[Headers.retryCount];
  const parsed = raw === undefined ? 0 : Number.parseInt(raw, 10);
  return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : 0;
}

/** Where a message was first consumed, kept across retries so the DLQ names the real origin. */
export function originHeaders(received: ReceivedMessage): Record<string, string> {
  const h = received.headers;
  const firstTopic = h[Headers.originalTopic];
  if (firstTopic !== undefined) {
    return {
      [Headers.originalTopic]: firstTopic,
      [Headers.originalPartition]: h[Headers.originalPartition] ?? '',
      [Headers.originalOffset]: h[Headers.originalOffset] ?? '',
      [Headers.originalTimestamp]: h[Headers.originalTimestamp] ?? '',
    };
  }
  return {
    [Headers.originalTopic]: received.topic,
    [Headers.originalPartition]: String(received.partition),
    [Headers.originalOffset]: received.offset.toString(),
    [Headers.originalTimestamp]: new Date(received.timestamp).toISOString(),
  };
}

export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return truncateUtf8(redactSecrets(text), MAX_LAST_ERROR_BYTES);
}

export interface RetryRequest<T extends MessageTopic> {
  readonly topic: T;
  readonly received: ReceivedMessage;
  readonly message: MessageByTopic[T];
  readonly error: unknown;
  readonly tierIndex: number;
  readonly dueAt: number;
}

export function buildRetryMessage<T extends MessageTopic>(request: RetryRequest<T>): OutgoingMessage {
  const { topic, received, message, error, tierIndex, dueAt } = request;
  const tier = RETRY_TIERS[tierIndex];
  if (tier === undefined) throw new RangeError(`no retry tier ${tierIndex}`);
  const retryCount = retriesSoFar(topic, message, received.headers) + 1;
  const lastError = describeError(error);
  const headers: Record<string, string> = {
    ...received.headers,
    ...originHeaders(received),
    [Headers.dueAt]: new Date(dueAt).toISOString(),
  };
  let value = received.value;
  if (topic === Topics.tasks) {
    const task = message as MessageByTopic[typeof Topics.tasks];
    value = encodeMessage(Topics.tasks, {
      ...task,
      metadata: { ...task.metadata, retry_count: retryCount, last_error: lastError },
    });
    delete headers[Headers.retryCount];
    delete headers[Headers.lastError];
  } else {
    headers[Headers.retryCount] = String(retryCount);
    headers[Headers.lastError] = lastError;
  }
  return { topic: retryTopicName(topic, tier), key: received.key, value, headers };
}
