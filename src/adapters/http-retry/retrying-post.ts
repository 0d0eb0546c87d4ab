/**
 * One JSON POST to an HTTP API, with what every model-serving endpoint needs: a timeout per
 * attempt, retries with exponential backoff that honour `Retry-After` (408, 425, 429, 5xx,
 * network errors, timeouts), and failures as RepolensError with `retryable` set. It returns the
 * 2xx body as text; reading it is the caller's business, because what counts as a malformed
 * answer differs per API (and is never retried: the same request gets the same answer).
 *
 * Credentials stay out of errors: messages name the endpoint with any userinfo redacted, server
 * bodies quoted in them are redacted too (a server may echo the key it refused, so the key itself
 * is blanked as well), and the API key travels only in the header.
 */
import { ErrorCodes, RepolensError, type ErrorCode } from '../../domain/errors.js';
import { redactSecrets } from '../../domain/redaction.js';
import { defaultSleep, MAX_RETRY_AFTER_MS, retryableStatus, retryAfterMs } from './retry-timing.js';

export interface RetryingPostOptions {
  /** The full URL posted to. */
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never in a message. */
  readonly apiKey?: string;
  /** Names the exchange in messages: `<what> request to …`, `<what> server … answered 500`. */
  readonly what: string;
  /** Code of a refusal retrying will not fix (400, 401, 403, 404, 413, 422…). */
  readonly rejectedCode: ErrorCode;
  readonly timeoutMs: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Injectable for tests; must reject when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly fetch?: typeof fetch;
  /** Called before every attempt, retries included (usage accounting). */
  readonly onAttempt?: () => void;
}

export interface RetryingPost {
  /** The endpoint as messages may show it: credentials redacted. */
  readonly where: string;
  /** POSTs `body` as JSON; resolves to the 2xx response's text. An aborted `signal` rejects with its reason. */
  send(body: unknown, signal?: AbortSignal): Promise<string>;
}

/** A failed attempt that may succeed later, and how long the server asked us to wait. */
class RetryableAttempt extends Error {
  constructor(
    readonly failure: RepolensError,
    readonly waitMs?: number,
  ) {
    super(failure.message);
  }
}

export function createRetryingPost(options: RetryingPostOptions): RetryingPost {
  const apiKey = options.apiKey;
  const scrub = (text: string): string => {
    const redacted = redactSecrets(text);
    return apiKey === undefined || apiKey === '' ? redacted : redacted.split(apiKey).join('***');
  };
  const where = scrub(options.endpoint);
  const sleep = options.sleep ?? defaultSleep;
  const doFetch = options.fetch ?? fetch;
  const { what } = options;

  async function attempt(body: string, signal?: AbortSignal): Promise<string> {
    options.onAttempt?.();
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Response;
    let text: string;
    try {
      response = await doFetch(options.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
        },
        body,
        signal: combined,
      });
      text = await response.text();
    } catch (error: unknown) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new RetryableAttempt(
          new RepolensError(ErrorCodes.timeout, `${what} request to ${where} took over ${options.timeoutMs} ms`, {
            retryable: true,
          }),
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new RetryableAttempt(
        new RepolensError(ErrorCodes.unavailable, `${what} request to ${where} failed: ${scrub(reason)}`, {
          cause: error,
          retryable: true,
        }),
      );
    }
    if (response.ok) return text;
    // Scrubbed before cutting, so a key straddling the cut cannot leave a prefix behind.
    const detail = scrub(text.slice(0, 4096)).slice(0, 300).replace(/\s+/g, ' ');
    const retryable = retryableStatus(response.status);
    const failure = new RepolensError(
      retryable ? ErrorCodes.unavailable : options.rejectedCode,
      `${what} server ${where} answered ${response.status}: ${detail}`,
      { retryable, details: { status: response.status } },
    );
    if (!retryable) throw failure;
    throw new RetryableAttempt(failure, retryAfterMs(response.headers.get('retry-after')));
  }

  return {
    where,
    async send(body, signal) {
      const json = JSON.stringify(body);
      for (let retry = 0; ; retry++) {
        try {
          return await attempt(json, signal);
        } catch (error: unknown) {
          if (!(error instanceof RetryableAttempt)) throw error;
          const backoff = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** retry);
          const wait = error.waitMs ?? backoff;
          if (retry >= options.maxRetries || wait > MAX_RETRY_AFTER_MS) {
            throw new RepolensError(error.failure.code, `${error.failure.message} (after ${retry + 1} attempts)`, {
              cause: error.failure.cause,
              retryable: true,
              details: error.failure.details,
            });
          }
          await sleep(wait, signal);
        }
      }
    },
  };
}
