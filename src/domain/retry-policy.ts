/**
 * What happens to a message whose handler failed (DESIGN.md §1): permanent errors go straight
 * to the dead-letter queue; transient ones get up to three retries through the tier topics,
 * then the DLQ.
 */
import { ErrorCodes, isRepolensError } from './errors.js';

export type FailureKind = 'permanent' | 'transient';

/** Node system error codes that say "the other side is not there right now". */
export const TRANSIENT_SYSTEM_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

function systemCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Our errors say themselves whether retrying can help. A raw network error is transient. Any
 * other error is treated as a bug: retrying would fail the same way, so it is permanent.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (isRepolensError(error)) return error.retryable ? 'transient' : 'permanent';
  const code = systemCode(error);
  if (code !== undefined && TRANSIENT_SYSTEM_CODES.has(code)) return 'transient';
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined && cause !== error) return classifyFailure(cause);
  return 'permanent';
}

/** The stable code recorded for a failure (DLQ header, metrics label). */
export function failureCode(error: unknown): string {
  if (isRepolensError(error)) return error.code;
  const code = systemCode(error);
  if (code !== undefined && TRANSIENT_SYSTEM_CODES.has(code)) return ErrorCodes.unavailable;
  return ErrorCodes.internal;
}

export type RetryDecision =
  | { readonly action: 'retry'; readonly tierIndex: number; readonly delayMs: number }
  | { readonly action: 'dead-letter' };

/**
 * `retriesSoFar` is how many retries the message already had (0 on the main topic).
 * `delaysMs` has one entry per tier; its length is the maximum number of retries.
 */
export function decideRetry(kind: FailureKind, retriesSoFar: number, delaysMs: readonly number[]): RetryDecision {
  if (kind === 'permanent' || retriesSoFar >= delaysMs.length) return { action: 'dead-letter' };
  return { action: 'retry', tierIndex: retriesSoFar, delayMs: delaysMs[retriesSoFar] as number };
}
