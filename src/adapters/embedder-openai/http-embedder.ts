/**
 * The HTTP machinery both embedder adapters share: batching, a timeout per request, retries with
 * exponential backoff that honour `Retry-After`, errors as RepolensError with `retryable` set,
 * and usage accounting. An adapter supplies only the endpoint, the request body and how to read
 * vectors (and the server's token count) out of the response.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { redactSecrets } from '../../domain/redaction.js';
import type { Embedder, EmbedderUsage, EmbedOptions } from '../../ports/embedder.js';

export const EmbedderErrorCodes = {
  /** The server refused the request (400, 401, 403, 404, 413, 422…): retrying will not help. */
  rejected: 'REPOLENS_EMBEDDER_REJECTED',
  /** The response is not what the API promises (bad JSON, wrong count or dimension). */
  invalidResponse: 'REPOLENS_EMBEDDER_INVALID_RESPONSE',
} as const;

export interface HttpEmbedderOptions {
  /** e.g. `http://127.0.0.1:11434/v1` or `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never logged. */
  readonly apiKey?: string;
  /** Expected vector length; learnt from the first response when omitted. */
  readonly dimensions?: number;
  /** Texts per request (default 64). */
  readonly batchSize?: number;
  /** Retries after the first attempt, for 408/429/5xx/network/timeouts (default 4). */
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Injectable for tests; must reject when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly fetch?: typeof fetch;
}

export interface EmbeddingApi {
  /** Path appended to baseUrl, e.g. `/embeddings`. */
  readonly path: string;
  body(model: string, texts: readonly string[]): unknown;
  /** Vectors in input order, and the server's input-token count when it reports one. */
  parse(json: unknown): { vectors: unknown; tokens?: number };
  /** The model name `Embedder.model` reports (what the index caches by). */
  modelKey?(model: string): string;
}

const DEFAULTS = { batchSize: 64, maxRetries: 4, timeoutMs: 60_000, initialBackoffMs: 500, maxBackoffMs: 30_000 };
/** A server asking for more than this is treated as down for now (retryable) rather than awaited. */
const MAX_RETRY_AFTER_MS = 120_000;

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

class Attempt extends Error {
  constructor(
    readonly failure: RepolensError,
    readonly waitMs?: number,
  ) {
    super(failure.message);
  }
}

export function createHttpEmbedder(api: EmbeddingApi, options: HttpEmbedderOptions): Embedder {
  const settings = { ...DEFAULTS, ...options };
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
    throw new RepolensError(ErrorCodes.configInvalid, `embedder batch size must be a positive integer`);
  }
  const endpoint = `${settings.baseUrl.replace(/\/+$/, '')}${api.path}`;
  // What errors may name: the endpoint without credentials.
  const where = redactSecrets(endpoint);
  const sleep = options.sleep ?? defaultSleep;
  const doFetch = options.fetch ?? fetch;
  let dimensions = options.dimensions ?? 0;
  let requests = 0;
  let inputTokens = 0;

  async function attempt(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    requests += 1;
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Response;
    let text: string;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(settings.apiKey === undefined ? {} : { authorization: `Bearer ${settings.apiKey}` }),
        },
        body: JSON.stringify(api.body(settings.model, texts)),
        signal: combined,
      });
      text = await response.text();
    } catch (error: unknown) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new Attempt(
          new RepolensError(ErrorCodes.timeout, `embedding request to ${where} took over ${settings.timeoutMs} ms`, {
            retryable: true,
          }),
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Attempt(
        new RepolensError(ErrorCodes.unavailable, `embedding request to ${where} failed: ${redactSecrets(reason)}`, {
          cause: error,
          retryable: true,
        }),
      );
    }
    if (!response.ok) {
      const detail = redactSecrets(text.slice(0, 300)).replace(/\s+/g, ' ');
      const retryable = retryableStatus(response.status);
      const failure = new RepolensError(
        retryable ? ErrorCodes.unavailable : EmbedderErrorCodes.rejected,
        `embedding server ${where} answered ${response.status}: ${detail}`,
        { retryable, details: { status: response.status } },
      );
      if (!retryable) throw failure;
      throw new Attempt(failure, retryAfterMs(response.headers.get('retry-after')));
    }
    const invalid = (why: string): RepolensError =>
      new RepolensError(EmbedderErrorCodes.invalidResponse, `embedding server ${where}: ${why}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error: unknown) {
      throw new RepolensError(EmbedderErrorCodes.invalidResponse, `embedding server ${where} sent invalid JSON`, {
        cause: error,
      });
    }
    const { vectors, tokens } = api.parse(json);
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw invalid(`expected ${texts.length} embeddings, got ${Array.isArray(vectors) ? vectors.length : 'none'}`);
    }
    for (const vector of vectors) {
      if (
        !Array.isArray(vector) ||
        vector.length === 0 ||
        !vector.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        throw invalid('an embedding is not a non-empty list of finite numbers');
      }
      if (dimensions === 0) dimensions = vector.length;
      if (vector.length !== dimensions)
        throw invalid(`an embedding has ${vector.length} dimensions, expected ${dimensions}`);
    }
    inputTokens += tokens ?? texts.reduce((acc, t) => acc + countTokens(t), 0);
    return vectors as number[][];
  }

  async function withRetries(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(texts, signal);
      } catch (error: unknown) {
        if (!(error instanceof Attempt)) throw error;
        const backoff = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** retry);
        const wait = error.waitMs ?? backoff;
        if (retry >= settings.maxRetries || wait > MAX_RETRY_AFTER_MS) {
          throw new RepolensError(error.failure.code, `${error.failure.message} (after ${retry + 1} attempts)`, {
            cause: error.failure.cause,
            retryable: true,
            details: error.failure.details,
          });
        }
        await sleep(wait, signal);
      }
    }
  }

  return {
    model: api.modelKey?.(settings.model) ?? settings.model,
    get dimensions() {
      return dimensions;
    },
    embed: async (texts: readonly string[], embedOptions: EmbedOptions = {}) => {
      const result: number[][] = [];
      for (let i = 0; i < texts.length; i += settings.batchSize) {
        embedOptions.signal?.throwIfAborted();
        result.push(...(await withRetries(texts.slice(i, i + settings.batchSize), embedOptions.signal)));
      }
      return result;
    },
    usage: (): EmbedderUsage => ({ requests, inputTokens }),
  };
}
