/**
 * Embedder for Ollama's native API: `POST {baseUrl}/api/embed` with `{ model, input }`, vectors
 * in `embeddings`, tokens in `prompt_eval_count`. baseUrl is the server root, e.g.
 * `http://127.0.0.1:11434`. Retries, batching and errors: ../embedder-openai/http-embedder.ts.
 */
import type { Embedder } from '../../ports/embedder.js';
import { createHttpEmbedder, type HttpEmbedderOptions } from '../embedder-openai/http-embedder.js';

interface OllamaResponse {
  embeddings?: unknown;
  prompt_eval_count?: number;
}

export function createOllamaEmbedder(options: HttpEmbedderOptions): Embedder {
  return createHttpEmbedder(
    {
      path: '/api/embed',
      body: (model, texts) => ({ model, input: texts }),
      parse: (json) => {
        const response = json as OllamaResponse;
        const tokens = response.prompt_eval_count;
        return { vectors: response.embeddings, ...(typeof tokens === 'number' ? { tokens } : {}) };
      },
    },
    options,
  );
}
