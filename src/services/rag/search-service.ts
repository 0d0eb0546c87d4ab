/**
 * Search over the RAG index: embeds the query when an embedder is configured (hybrid search),
 * else searches lexically. If the embedder fails, the search falls back to lexical and says so
 * through `mode` (and `onFallback`), since a keyword answer beats none.
 */
import type { ChunkIndex, SearchResponse } from '../../ports/chunk-index.js';
import type { Embedder } from '../../ports/embedder.js';

export interface SearchIndexInput {
  readonly index: ChunkIndex;
  readonly embedder?: Embedder;
  readonly query: string;
  readonly repositoryUrl?: string;
  readonly k: number;
  readonly signal?: AbortSignal;
  /** Called when the embedder failed and the search went lexical. */
  readonly onFallback?: (error: unknown) => void;
}

export async function searchIndex(input: SearchIndexInput): Promise<SearchResponse> {
  const { index, embedder, query, k } = input;
  const scope = input.repositoryUrl === undefined ? {} : { repositoryUrl: input.repositoryUrl };
  if (embedder !== undefined && query.trim() !== '') {
    let vector: number[] | undefined;
    try {
      [vector] = await embedder.embed([query], input.signal === undefined ? {} : { signal: input.signal });
    } catch (error: unknown) {
      input.signal?.throwIfAborted();
      input.onFallback?.(error);
    }
    if (vector !== undefined) {
      return index.search({ query, k, ...scope, embedding: { model: embedder.model, vector } });
    }
  }
  return index.search({ query, k, ...scope });
}
