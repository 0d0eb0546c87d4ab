/**
 * Turns pg's failures into the errors the consumer runtime branches on: a database that is down,
 * restarting or out of connections is `REPOLENS_UNAVAILABLE` (retryable); a serialization
 * failure or deadlock is `REPOLENS_DATABASE_CONFLICT` (retryable). Anything else is returned
 * unchanged: a SQL error there is a bug, and retrying would fail the same way.
 */
import { TRANSIENT_SYSTEM_CODES } from '../../domain/retry-policy.js';
import { DatabaseError } from 'pg';
import { ErrorCodes, RepolensError, isRepolensError } from '../../domain/errors.js';

export const PostgresErrorCodes = {
  conflict: 'REPOLENS_DATABASE_CONFLICT',
} as const;

const SYSTEM_UNAVAILABLE = TRANSIENT_SYSTEM_CODES;

// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up),
// 53300 too_many_connections; class 08 is "connection exception".
const STATE_UNAVAILABLE: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);
// 40001 serialization_failure, 40P01 deadlock_detected: the same statement may succeed again.
const STATE_CONFLICT: ReadonlySet<string> = new Set(['40001', '40P01']);

function stringCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseError) {
    const state = error.code ?? '';
    return state.startsWith('08') || STATE_UNAVAILABLE.has(state);
  }
  const code = stringCode(error);
  if (code !== undefined) return SYSTEM_UNAVAILABLE.has(code) || code.startsWith('08');
  // pg reports a lost or timed-out connection ("Connection terminated", "timeout exceeded when
  // trying to connect") as a plain Error without a code; our own bugs surface as TypeErrors etc.
  return error instanceof Error && error.constructor === Error;
}

export function mapPostgresError(error: unknown, databaseLabel: string): unknown {
  if (isRepolensError(error)) return error;
  if (isConnectionFailure(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new RepolensError(ErrorCodes.unavailable, `${databaseLabel} is unavailable: ${reason}`, {
      cause: error,
      retryable: true,
      details: { sqlState: stringCode(error) },
    });
  }
  if (error instanceof DatabaseError && error.code !== undefined && STATE_CONFLICT.has(error.code)) {
    return new RepolensError(PostgresErrorCodes.conflict, `${databaseLabel}: ${error.message}`, {
      cause: error,
      retryable: true,
      details: { sqlState: error.code },
    });
  }
  return error;
}
