/**
 * ChunkIndex: the RAG index (issue 7). It stores a repository's chunks (src/ports/chunk.ts) per
 * commit, searches them by BM25 and, when vectors are given, by cosine similarity fused with
 * reciprocal rank fusion. Implemented on the shared SQL (src/adapters/sql/chunk-index.ts) for
 * PostgreSQL and PGlite.
 *
 * The contract:
 * - A repository has at most one current generation (one commit). `publish` builds the next one
 *   beside it and switches to it in one transaction: a search sees the old commit's chunks or
 *   the new commit's, never a mix, and never a half-built generation. A failed or aborted publish
 *   leaves the current generation as it was.
 * - Files are content-addressed by (repository, path, contentHash). `currentFiles` lists the
 *   current generation's files (only those whose chunks carry vectors of `embeddingModel`, when
 *   given); the loader passes the unchanged ones back as `reuse` instead of re-chunking them.
 *   A `reuse` entry that is no longer in the current generation (another publish replaced it)
 *   fails the publish with `REPOLENS_RAG_CONFLICT`, retryable.
 * - Embeddings are cached by (contentHash, model) across commits and repositories: a chunk whose
 *   content was embedded once by a model is never embedded again by it.
 * - `search` ranks the current generations (of one repository, or all): lexical BM25 over
 *   code-aware tokens with path and symbol weighted above the body; with `embedding` also vector
 *   top-N, fused by RRF (k = 60), and the response says `hybrid`. Scores are comparable only
 *   within one response. Ties are broken by a stable order.
 * - Publishing the same repository twice at once is not supported: the later switch wins and the
 *   other publish may fail with a retryable error (the pipeline handles one repository at a time).
 */
import type { Chunk } from './chunk.js';

export interface FileRef {
  /** Relative to the checkout root, `/`-separated. */
  readonly path: string;
  /** sha256 hex of the whole file. */
  readonly contentHash: string;
}

export interface ChunkedFile extends FileRef {
  readonly chunks: readonly Chunk[];
  /** One vector per chunk, in order, made by `PublishInput.embeddingModel`; omitted for lexical only. */
  readonly embeddings?: readonly (readonly number[])[];
}

export interface PublishInput {
  readonly repositoryUrl: string;
  readonly commit: string;
  /** Files chunked for this commit (new or changed). */
  readonly files: readonly ChunkedFile[];
  /** Unchanged files whose chunks (and vectors) the current generation already holds. */
  readonly reuse: readonly FileRef[];
  /** The model of `files[].embeddings`; required when any are given. */
  readonly embeddingModel?: string;
  readonly signal?: AbortSignal;
  /** Chunks written so far of those in `files`. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface PublishResult {
  readonly generation: number;
  readonly files: number;
  readonly chunks: number;
}

export interface CachedEmbedding {
  readonly contentHash: string;
  readonly embedding: readonly number[];
}

export interface SearchQuery {
  readonly query: string;
  /** Only this repository; all repositories when omitted. */
  readonly repositoryUrl?: string;
  /** How many results, 1-100. */
  readonly k: number;
  /** The query's vector and the model that made it: turns the search hybrid. */
  readonly embedding?: { readonly model: string; readonly vector: readonly number[] };
}

export type SearchMode = 'lexical' | 'hybrid';

/** Field names as the CLI's and the API's JSON print them. */
export interface SearchResult {
  readonly repository_url: string;
  readonly commit: string;
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly symbol: string | null;
  /** BM25 score (lexical) or RRF score (hybrid). */
  readonly score: number;
  /** A few lines of the chunk around the best match. */
  readonly snippet: string;
}

export interface SearchResponse {
  readonly mode: SearchMode;
  readonly results: readonly SearchResult[];
}

export interface IndexStats {
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly generation: number;
  readonly files: number;
  readonly chunks: number;
  /** Chunks with a vector (of any model). */
  readonly embeddedChunks: number;
  readonly publishedAt: Date;
}

export interface ChunkIndex {
  /** The current generation's files; with `embeddingModel`, only those fully embedded by it. */
  currentFiles(repositoryUrl: string, options?: { readonly embeddingModel?: string }): Promise<FileRef[]>;
  /** Cached vectors of `model` for these content hashes (those it has). */
  cachedEmbeddings(model: string, contentHashes: readonly string[]): Promise<Map<string, number[]>>;
  /** Stores vectors in the cache; an existing entry is kept. */
  cacheEmbeddings(model: string, entries: readonly CachedEmbedding[]): Promise<void>;
  publish(input: PublishInput): Promise<PublishResult>;
  search(query: SearchQuery): Promise<SearchResponse>;
  /** The current generation's figures, or undefined when the repository was never published. */
  stats(repositoryUrl: string): Promise<IndexStats | undefined>;
}
