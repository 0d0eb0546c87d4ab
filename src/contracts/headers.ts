/**
 * Kafka header names (DESIGN.md §1). Message bodies carry exactly the seed's fields; everything
 * else a message needs travels here.
 */
export const Headers = {
  /** Commit SHA the stage worked on. */
  commit: 'x-commit',
  /** Default branch of the repository, recorded by cloning. */
  defaultBranch: 'x-default-branch',
  /** One pipeline run of one repository, from discovery to analysis. */
  runId: 'x-run-id',
  /** W3C trace context. */
  traceparent: 'traceparent',
  /** Retry bookkeeping for topics without a `metadata` field (discovery, status). */
  retryCount: 'x-retry-count',
  lastError: 'x-last-error',
  /** Earliest time (ISO-8601) a retry tier consumer may handle the message. */
  dueAt: 'x-due-at',
  /** Dead-letter record: where the message came from and why it failed. */
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  originalTimestamp: 'x-original-timestamp',
  consumerGroup: 'x-consumer-group',
  service: 'x-service',
  attempt: 'x-attempt',
  errorCode: 'x-error-code',
  errorMessage: 'x-error-message',
  errorStack: 'x-error-stack',
  failedAt: 'x-failed-at',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];

/** Headers every DLQ record carries. */
export const DLQ_HEADERS: readonly HeaderName[] = [
  Headers.originalTopic,
  Headers.originalPartition,
  Headers.originalOffset,
  Headers.originalTimestamp,
  Headers.consumerGroup,
  Headers.service,
  Headers.attempt,
  Headers.errorCode,
  Headers.errorMessage,
  Headers.errorStack,
  Headers.failedAt,
];

/** Stack traces are cut to this many bytes so a DLQ record stays small. */
export const MAX_ERROR_STACK_BYTES = 4096;
