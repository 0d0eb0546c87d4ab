/**
 * Errors that cross module boundaries carry a stable code, a cause and whether retrying can
 * help. Code branches on `code` (and `retryable`), never on message text.
 */
export const ErrorCodes = {
  /** A message does not match its contract (schema, JSON, size). Never retried. */
  contractInvalid: 'REPOLENS_CONTRACT_INVALID',
  /** A setting has a value repolens cannot use. Reported at start. */
  configInvalid: 'REPOLENS_CONFIG_INVALID',
  /** Input from a user or a remote system is unusable (bad URL, bad flag value). */
  inputInvalid: 'REPOLENS_INPUT_INVALID',
  /** A dependency (broker, database, network) is unavailable; trying again later may work. */
  unavailable: 'REPOLENS_UNAVAILABLE',
  /** An operation took longer than its limit. */
  timeout: 'REPOLENS_TIMEOUT',
  /** A state that should be impossible: a bug. */
  internal: 'REPOLENS_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | `REPOLENS_${string}`;

export interface RepolensErrorOptions {
  readonly cause?: unknown;
  readonly retryable?: boolean;
  /** Structured facts for logs and DLQ headers; never credentials. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class RepolensError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: RepolensErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RepolensError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

export function isRepolensError(value: unknown): value is RepolensError {
  return value instanceof RepolensError;
}
