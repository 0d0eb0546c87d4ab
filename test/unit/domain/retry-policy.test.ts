import { describe, expect, it } from 'vitest';
import { ErrorCodes, RepolensError } from '../../../src/domain/errors.js';
import { redactSecrets, truncateUtf8 } from '../../../src/domain/redaction.js';
import { classifyFailure, decideRetry, failureCode } from '../../../src/domain/retry-policy.js';

const delays = [60_000, 300_000, 900_000];

describe('retry policy', () => {
  it('classifies by our error codes and by network error codes, never by message text', () => {
    expect(classifyFailure(new RepolensError(ErrorCodes.unavailable, 'x', { retryable: true }))).toBe('transient');
    expect(classifyFailure(new RepolensError(ErrorCodes.inputInvalid, 'timeout connection refused'))).toBe('permanent');
    expect(classifyFailure(Object.assign(new Error('boom'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyFailure(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) }))).toBe(
      'transient',
    );
    expect(classifyFailure(new TypeError('undefined is not a function'))).toBe('permanent');
    expect(failureCode(new TypeError('bug'))).toBe(ErrorCodes.internal);
    expect(failureCode(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }))).toBe(ErrorCodes.unavailable);
  });

  it('retries transient failures three times at the configured delays, then dead-letters', () => {
    expect(decideRetry('transient', 0, delays)).toEqual({ action: 'retry', tierIndex: 0, delayMs: 60_000 });
    expect(decideRetry('transient', 1, delays)).toEqual({ action: 'retry', tierIndex: 1, delayMs: 300_000 });
    expect(decideRetry('transient', 2, delays)).toEqual({ action: 'retry', tierIndex: 2, delayMs: 900_000 });
    expect(decideRetry('transient', 3, delays)).toEqual({ action: 'dead-letter' });
    expect(decideRetry('permanent', 0, delays)).toEqual({ action: 'dead-letter' });
  });
});

describe('redaction', () => {
  it('removes credentials from URLs, auth headers and token parameters', () => {
    expect(redactSecrets('fatal: https://alice:s3cret@git.example.com/x.git not found')).toBe(
      'fatal: https://***@git.example.com/x.git not found',
    );
    expect(redactSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
    expect(redactSecrets('GET /api?private_token=glpat-123&page=2')).toBe('GET /api?private_token=***&page=2');
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });

  it('truncates on a character boundary', () => {
    expect(truncateUtf8('ééé', 3)).toBe('é');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});
