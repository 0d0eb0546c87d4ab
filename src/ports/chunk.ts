/**
 * A chunk: the unit the RAG index stores and search returns (issue 7). The chunker (services/rag)
 * makes them from a file's content; the chunk index (adapters/sql) stores them per repository
 * and commit. Lines are 1-based and inclusive; `content` is exactly those lines (an oversize
 * unit is split, never truncated: the chunks of a file cover all of it).
 */

export interface Chunk {
  /** Relative to the checkout root, `/`-separated. */
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  /** Linguist language name, or null. */
  readonly language: string | null;
  /** Enclosing symbol path, e.g. `RetryPolicy > decide`; null for line windows outside symbols. */
  readonly symbol: string | null;
  /** `function`, `method`, `class`, `module` (merged top-level code), `window` (line window). */
  readonly kind: string;
  readonly content: string;
  /** sha256 hex of `content`; embeddings are cached by it (with the model). */
  readonly contentHash: string;
  /** o200k tokens of `content`; at most 500. */
  readonly tokens: number;
}

export const MAX_CHUNK_TOKENS = 500;
