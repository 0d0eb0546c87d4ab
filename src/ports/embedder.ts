/**
 * Embedder: turns chunk texts (and search queries) into vectors for the RAG index's semantic half
 * (issue 7). Adapters: src/adapters/embedder-openai (any OpenAI-compatible `/embeddings`: hosted
 * APIs, Ollama's /v1, vLLM, LM Studio) and src/adapters/embedder-ollama (Ollama's `/api/embed`).
 *
 * The contract:
 * - `embed(texts)` resolves to one vector per text, in order, every vector `dimensions` long.
 *   The adapter batches, so callers may pass any number of texts.
 * - `model` names what made the vectors: the index caches embeddings by (content hash, model) and
 *   only compares vectors of the same model. `dimensions` is the vectors' length; an adapter not
 *   told it learns it from the first response and reports 0 until then.
 * - Failures are `RepolensError`s: `retryable: true` for what trying later may fix (429, 5xx,
 *   network, timeout) after the adapter's own retries are spent, `false` otherwise (400, 401,
 *   404, a malformed response). An aborted `signal` rejects with the signal's reason.
 * - `usage()` counts requests made (retries included) and input tokens (the server's count when it
 *   reports one, else o200k), so the loader can record what a repository cost.
 */

export interface EmbedOptions {
  readonly signal?: AbortSignal;
}

export interface EmbedderUsage {
  readonly requests: number;
  readonly inputTokens: number;
}

export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
  usage(): EmbedderUsage;
}
