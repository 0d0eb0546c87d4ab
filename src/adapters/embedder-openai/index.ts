/** Embedder adapters over HTTP: OpenAI-compatible `/embeddings`, and the shared embedder machinery. */
export {
  createHttpEmbedder,
  EmbedderErrorCodes,
  type EmbeddingApi,
  type HttpEmbedderOptions,
} from './http-embedder.js';
export { defaultSleep, retryAfterMs } from '../http-retry/index.js';
export { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.js';
/** The OpenAI-compatible embedder under the name the composition root uses. */
export { createOpenAiEmbedder as createEmbedder } from './openai-embedder.js';
