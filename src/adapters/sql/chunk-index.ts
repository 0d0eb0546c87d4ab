/**
 * The ChunkIndex port (src/ports/chunk-index.ts) on the shared SQL: the same statements run on
 * PostgreSQL 15 + pgvector and on PGlite. Publishing is in chunk-index-publish.ts, search in
 * chunk-index-search.ts, tokens in chunk-index-tokens.ts, vectors in chunk-index-vectors.ts;
 * the tables are migrations 0004 and 0006 (README.md in src/services/rag explains the design).
 */
import type { ChunkIndex, FileRef, IndexStats } from '../../ports/chunk-index.js';
import { publishGeneration } from './chunk-index-publish.js';
import {
  createSearch,
  DEFAULT_BM25,
  DEFAULT_CANDIDATES,
  DEFAULT_TERM_DEPTH,
  type Bm25Parameters,
} from './chunk-index-search.js';
import { numberArray, textArray } from './chunk-index-arrays.js';
import { parseVector, vectorLiteral } from './chunk-index-vectors.js';
import type { SqlExecutor } from './sql-executor.js';

export { ChunkIndexErrorCodes } from './chunk-index-publish.js';
export {
  DEFAULT_BM25,
  DEFAULT_CANDIDATES,
  DEFAULT_TERM_DEPTH,
  reciprocalRankFusion,
  RRF_K,
  type Bm25Parameters,
} from './chunk-index-search.js';
export { tokenize } from './chunk-index-tokens.js';

export interface SqlChunkIndexOptions {
  /** BM25F parameters; DEFAULT_BM25 unless tuning. */
  readonly bm25?: Bm25Parameters;
  /** Chunks written per transaction while publishing (default 500); tests use small batches. */
  readonly publishBatchChunks?: number;
  /**
   * Postings an unscoped search reads per query term, best impact first (DEFAULT_TERM_DEPTH);
   * `null` reads them all: exact, slow on large corpora (the bench's reference ranking).
   */
  readonly termDepth?: number | null;
  /** Candidates an unscoped search scores exactly (DEFAULT_CANDIDATES). */
  readonly candidates?: number;
}

// Keeps each `= ANY($1)` array and insert statement a reasonable size.
const CACHE_BATCH = 2_000;

export function createSqlChunkIndex(executor: SqlExecutor, options: SqlChunkIndexOptions = {}): ChunkIndex {
  const vectorIndexes = new Set<string>();
  const bm25 = options.bm25 ?? DEFAULT_BM25;
  const search = createSearch(
    executor,
    bm25,
    options.termDepth === undefined ? DEFAULT_TERM_DEPTH : options.termDepth,
    options.candidates ?? DEFAULT_CANDIDATES,
  );
  return {
    currentFiles: async (repositoryUrl, { embeddingModel } = {}) => {
      const rows = await executor.query<{ path: string; content_hash: string }>(
        `SELECT f.path, f.content_hash
         FROM rag_repositories r
         JOIN rag_generation_files gf ON gf.generation_id = r.generation_id
         JOIN rag_files f ON f.id = gf.file_id
         WHERE r.repository_url = $1
           AND ($2::text IS NULL OR NOT EXISTS (
             SELECT 1 FROM rag_chunks c WHERE c.file_id = f.id AND c.embedding_model IS DISTINCT FROM $2::text))
         ORDER BY f.path`,
        [repositoryUrl, embeddingModel ?? null],
      );
      return rows.map((row): FileRef => ({ path: row.path, contentHash: row.content_hash }));
    },
    cachedEmbeddings: async (model, contentHashes) => {
      const found = new Map<string, number[]>();
      const unique = [...new Set(contentHashes)];
      for (let i = 0; i < unique.length; i += CACHE_BATCH) {
        const rows = await executor.query<{ content_hash: string; embedding: string }>(
          `SELECT content_hash, embedding::text AS embedding FROM rag_embeddings
           WHERE model = $1 AND content_hash = ANY($2::text[])`,
          [model, textArray(unique.slice(i, i + CACHE_BATCH))],
        );
        for (const row of rows) found.set(row.content_hash, parseVector(row.embedding));
      }
      return found;
    },
    cacheEmbeddings: async (model, entries) => {
      const unique = [...new Map(entries.map((e) => [e.contentHash, e.embedding])).entries()];
      for (let i = 0; i < unique.length; i += CACHE_BATCH) {
        const slice = unique.slice(i, i + CACHE_BATCH);
        await executor.query(
          `INSERT INTO rag_embeddings (model, content_hash, dimensions, embedding)
           SELECT $1, h, d, v::vector FROM unnest($2::text[], $3::int[], $4::text[]) AS u(h, d, v)
           ON CONFLICT (model, content_hash) DO NOTHING`,
          [
            model,
            textArray(slice.map(([hash]) => hash)),
            numberArray(slice.map(([, v]) => v.length)),
            textArray(slice.map(([, v]) => vectorLiteral(v))),
          ],
        );
      }
    },
    publish: (input) => publishGeneration(executor, input, vectorIndexes, options.publishBatchChunks, bm25),
    search,
    stats: async (repositoryUrl) => {
      const rows = await executor.query<{
        commit_sha: string;
        generation: string;
        published_at: Date | string;
        files: number;
        chunks: number;
        embedded: number;
      }>(
        `SELECT r.commit_sha, r.generation_id::text AS generation, r.published_at,
                (SELECT count(*)::int FROM rag_generation_files gf WHERE gf.generation_id = r.generation_id) AS files,
                g.chunk_count::int AS chunks,
                (SELECT count(*)::int FROM rag_generation_files gf JOIN rag_chunks c ON c.file_id = gf.file_id
                 WHERE gf.generation_id = r.generation_id AND c.embedding IS NOT NULL) AS embedded
         FROM rag_repositories r JOIN rag_generations g ON g.id = r.generation_id
         WHERE r.repository_url = $1`,
        [repositoryUrl],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const stats: IndexStats = {
        repositoryUrl,
        commit: row.commit_sha,
        generation: Number(row.generation),
        files: row.files,
        chunks: row.chunks,
        embeddedChunks: row.embedded,
        publishedAt: new Date(row.published_at),
      };
      return stats;
    },
  };
}
