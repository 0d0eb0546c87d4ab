/**
 * The HTTP machinery both embedder adapters share: batching, checking the vectors, and usage
 * accounting, over ../http-retry (timeout per request, retries with exponential backoff that
 * honour `Retry-After`, errors as RepolensError with `retryable` set). An adapter supplies only
 * the endpoint, the request body and how to read vectors (and the server's token count) out of
 * the response.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { Embedder, EmbedderUsage, EmbedOptions } from '../../ports/embedder.js';
import { createRetryingPost } from '../http-retry/index.js';

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

export function createHttpEmbedder(api: EmbeddingApi, options: HttpEmbedderOptions): Embedder {
  const settings = { ...DEFAULTS, ...options };
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
    throw new RepolensError(ErrorCodes.configInvalid, `embedder batch size must be a positive integer`);
  }
  let dimensions = options.dimensions ?? 0;
  let requests = 0;
  let inputTokens = 0;
  const post = createRetryingPost({
    ...settings,
    endpoint: `${settings.baseUrl.replace(/\/+$/, '')}${api.path}`,
    what: 'embedding',
    rejectedCode: EmbedderErrorCodes.rejected,
    onAttempt: () => {
      requests += 1;
    },
  });

  async function embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const text = await post.send(api.body(settings.model, texts), signal);
    const invalid = (why: string): RepolensError =>
      new RepolensError(EmbedderErrorCodes.invalidResponse, `embedding server ${post.where}: ${why}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error: unknown) {
      throw new RepolensError(EmbedderErrorCodes.invalidResponse, `embedding server ${post.where} sent invalid JSON`, {
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

  return {
    model: api.modelKey?.(settings.model) ?? settings.model,
    get dimensions() {
      return dimensions;
    },
    embed: async (texts: readonly string[], embedOptions: EmbedOptions = {}) => {
      const result: number[][] = [];
      for (let i = 0; i < texts.length; i += settings.batchSize) {
        embedOptions.signal?.throwIfAborted();
        result.push(...(await embedBatch(texts.slice(i, i + settings.batchSize), embedOptions.signal)));
      }
      return result;
    },
    usage: (): EmbedderUsage => ({ requests, inputTokens }),
  };
}
