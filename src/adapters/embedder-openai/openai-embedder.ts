/**
 * Embedder for OpenAI-compatible servers: `POST {baseUrl}/embeddings` with `{ model, input }`,
 * vectors in `data[].embedding` (ordered by `data[].index`), tokens in `usage.prompt_tokens`.
 * Covers hosted APIs, Ollama's `/v1`, vLLM, LM Studio, llama.cpp's server.
 */
import type { Embedder } from '../../ports/embedder.js';
import { createHttpEmbedder, type HttpEmbedderOptions } from './http-embedder.js';

export interface OpenAiEmbedderOptions extends HttpEmbedderOptions {
  /**
   * Send `dimensions` in the request (text-embedding-3 can shorten its vectors). The model key
   * then becomes `model@dimensions`, so shortened vectors are never mixed with full ones.
   */
  readonly requestDimensions?: boolean;
}

interface OpenAiResponse {
  data?: { embedding?: unknown; index?: number }[];
  usage?: { prompt_tokens?: number };
}

export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const send = options.requestDimensions === true && options.dimensions !== undefined ? options.dimensions : undefined;
  return createHttpEmbedder(
    {
      path: '/embeddings',
      body: (model, texts) => ({ model, input: texts, ...(send === undefined ? {} : { dimensions: send }) }),
      parse: (json) => {
        const response = json as OpenAiResponse;
        const data = Array.isArray(response.data) ? [...response.data] : undefined;
        data?.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
        const tokens = response.usage?.prompt_tokens;
        return { vectors: data?.map((item) => item.embedding), ...(typeof tokens === 'number' ? { tokens } : {}) };
      },
      modelKey: (model) => (send === undefined ? model : `${model}@${send}`),
    },
    options,
  );
}
