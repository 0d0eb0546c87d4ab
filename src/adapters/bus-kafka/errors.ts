/**
 * Turns @platformatic/kafka failures into RepolensErrors. Classification walks the library's
 * error tree (MultipleErrors → errors[], `cause`) and looks at codes and flags only:
 * `PLT_KFK_NETWORK` / `PLT_KFK_TIMEOUT` (connection refused, reset, timed out), protocol errors
 * the library marks retriable (no leader, not enough replicas, coordinator moving …) and Node's
 * socket error codes all mean "the cluster is not reachable right now" → REPOLENS_UNAVAILABLE,
 * retryable. Never the message text.
 */
import { GenericError } from '@platformatic/kafka';
import { ErrorCodes, RepolensError, isRepolensError, type ErrorCode } from '../../domain/errors.js';

const NETWORK_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** Broker answers that mean the request itself is wrong, not that the cluster is unwell. */
const INPUT_PROTOCOL_ERRORS = new Set([
  'TOPIC_ALREADY_EXISTS',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REPLICA_ASSIGNMENT',
  'INVALID_CONFIG',
  'INVALID_TOPIC_EXCEPTION',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'POLICY_VIOLATION',
  'OFFSET_OUT_OF_RANGE',
]);

interface ErrorLike {
  readonly code?: unknown;
  readonly apiId?: unknown;
  readonly canRetry?: unknown;
  readonly errors?: unknown;
  readonly cause?: unknown;
}

/** Every error in the tree below `error` (itself included), depth first, cycles cut. */
export function errorTree(error: unknown): ErrorLike[] {
  const seen = new Set<unknown>();
  const out: ErrorLike[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const node = value as ErrorLike;
    out.push(node);
    if (Array.isArray(node.errors)) for (const child of node.errors) visit(child);
    visit(node.cause);
  };
  visit(error);
  return out;
}

/** The Kafka protocol error ids (e.g. 'NOT_LEADER_OR_FOLLOWER') anywhere in the tree. */
export function protocolErrorIds(error: unknown): Set<string> {
  const ids = new Set<string>();
  for (const node of errorTree(error)) if (typeof node.apiId === 'string') ids.add(node.apiId);
  return ids;
}

export function isUnavailableError(error: unknown): boolean {
  for (const node of errorTree(error)) {
    if (typeof node.code === 'string' && (NETWORK_CODES.has(node.code) || SOCKET_CODES.has(node.code))) return true;
    if (typeof node.apiId === 'string' && node.canRetry === true) return true;
  }
  return false;
}

/** A UserError from a metadata request: for the calls we make, the topic does not exist. */
export function isKafkaUserError(error: unknown): boolean {
  return error instanceof GenericError && error.code === 'PLT_KFK_USER';
}

function classify(error: unknown): { code: ErrorCode; retryable: boolean } {
  if (isUnavailableError(error)) return { code: ErrorCodes.unavailable, retryable: true };
  for (const id of protocolErrorIds(error)) {
    if (INPUT_PROTOCOL_ERRORS.has(id)) return { code: ErrorCodes.inputInvalid, retryable: false };
  }
  return { code: ErrorCodes.internal, retryable: false };
}

/** Wraps `error` (kept as `cause`) unless it already is a RepolensError. */
export function toBusError(error: unknown, what: string, details: Record<string, unknown> = {}): RepolensError {
  if (isRepolensError(error)) return error;
  const { code, retryable } = classify(error);
  const kafkaErrors = [...protocolErrorIds(error)];
  const reason = code === ErrorCodes.unavailable ? 'Kafka is unavailable' : 'Kafka refused the request';
  return new RepolensError(code, `${what}: ${reason}`, {
    cause: error,
    retryable,
    details: kafkaErrors.length > 0 ? { ...details, kafkaErrors } : details,
  });
}

export function unknownTopicError(topics: readonly string[], cause: unknown): RepolensError {
  return new RepolensError(ErrorCodes.inputInvalid, `unknown Kafka topic(s): ${topics.join(', ')}`, {
    cause,
    retryable: false,
    details: { topics: [...topics], reason: 'unknown-topic' },
  });
}

export function closedError(what: string): RepolensError {
  return new RepolensError(ErrorCodes.internal, `${what}: the Kafka bus is closed`, { retryable: false });
}
