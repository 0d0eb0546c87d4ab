/**
 * Search over the current generations: BM25F over the postings, optionally fused with HNSW vector
 * top-N by reciprocal rank fusion. Everything a search reads runs in one REPEATABLE READ
 * transaction, so the lexical list, the vector list and the chunk details come from one
 * snapshot: a publish switching generations meanwhile is seen entirely or not at all.
 *
 * BM25F (Robertson & Zaragoza, "simple BM25F"): per query term t and chunk d,
 *   tf~ = Σ_f w_f · tf_f / (1 − b_f + b_f · len_f / avglen_f)     f ∈ {body, path, symbol}
 *   score += idf(t) · tf~ · (k1 + 1) / (k1 + tf~),  idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 * with N, df and the average field lengths taken over the searched scope (one repository's
 * current generation, or all current generations), computed per query from the postings read.
 */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { SearchQuery, SearchResponse, SearchResult } from '../../ports/chunk-index.js';
import { textArray } from './chunk-index-arrays.js';
import { queryTerms } from './chunk-index-tokens.js';
import { vectorLiteral, vectorTarget } from './chunk-index-vectors.js';
import type { SqlExecutor } from './sql-executor.js';

export interface Bm25Parameters {
  readonly k1: number;
  readonly body: { readonly weight: number; readonly b: number };
  readonly path: { readonly weight: number; readonly b: number };
  readonly symbol: { readonly weight: number; readonly b: number };
}

/** k1 and b as usual; a term in the symbol counts 3×, in the path 2×, against the body. */
export const DEFAULT_BM25: Bm25Parameters = {
  k1: 1.2,
  body: { weight: 1, b: 0.75 },
  path: { weight: 2, b: 0.5 },
  symbol: { weight: 3, b: 0.5 },
};

/** Reciprocal rank fusion constant (Cormack et al.). */
export const RRF_K = 60;
export const MAX_K = 100;
const MAX_QUERY_TERMS = 32;
const MAX_QUERY_LENGTH = 2_000;
const SNIPPET_LINES = 6;
const SNIPPET_CHARS = 600;

interface Ranked {
  readonly chunk_id: string;
  readonly score: number;
}

const float = (value: number): string => {
  if (!Number.isFinite(value)) throw new RepolensError(ErrorCodes.configInvalid, 'BM25 parameters must be finite');
  return `${value}::float8`;
};

function fieldTerm(name: 'body' | 'path' | 'symbol', field: { weight: number; b: number }): string {
  return `${float(field.weight)} * h.tf_${name} / (${float(1 - field.b)} + ${float(field.b)} * h.len_${name} / c.avg_${name})`;
}

/** Scope of current generations: `$1` is the repository or NULL for all. */
const SCOPE = `SELECT generation_id FROM rag_repositories WHERE $1::text IS NULL OR repository_url = $1`;

function bm25Sql(p: Bm25Parameters): string {
  return `
    WITH scope AS MATERIALIZED (${SCOPE}),
    corpus AS MATERIALIZED (
      SELECT greatest(sum(g.chunk_count), 1)::float8 AS n,
             greatest(sum(g.body_length)::float8 / greatest(sum(g.chunk_count), 1), 1) AS avg_body,
             greatest(sum(g.path_length)::float8 / greatest(sum(g.chunk_count), 1), 1) AS avg_path,
             greatest(sum(g.symbol_length)::float8 / greatest(sum(g.chunk_count), 1), 1) AS avg_symbol
      FROM rag_generations g WHERE g.id IN (SELECT generation_id FROM scope)
    ),
    hits AS MATERIALIZED (
      SELECT p.term, p.chunk_id, p.tf_body, p.tf_path, p.tf_symbol, p.len_body, p.len_path, p.len_symbol
      FROM rag_postings p
      WHERE p.term = ANY($2::text[])
        AND p.file_id IN (SELECT gf.file_id FROM rag_generation_files gf WHERE gf.generation_id IN (SELECT generation_id FROM scope))
    ),
    idf AS (
      SELECT h.term, ln(1 + (c.n - count(*) + 0.5) / (count(*) + 0.5)) AS idf
      FROM hits h CROSS JOIN corpus c GROUP BY h.term, c.n
    )
    SELECT h.chunk_id::text AS chunk_id, sum(i.idf * x.tf * ${float(p.k1 + 1)} / (${float(p.k1)} + x.tf)) AS score
    FROM hits h
    JOIN idf i ON i.term = h.term
    CROSS JOIN corpus c
    CROSS JOIN LATERAL (SELECT ${fieldTerm('body', p.body)} + ${fieldTerm('path', p.path)} + ${fieldTerm('symbol', p.symbol)} AS tf) x
    GROUP BY h.chunk_id
    ORDER BY score DESC, h.chunk_id
    LIMIT $3`;
}

async function lexicalTop(
  tx: SqlExecutor,
  sql: string,
  terms: readonly string[],
  repositoryUrl: string | null,
  n: number,
): Promise<Ranked[]> {
  if (terms.length === 0) return [];
  const rows = await tx.query<{ chunk_id: string; score: number | string }>(sql, [repositoryUrl, textArray(terms), n]);
  return rows.map((row) => ({ chunk_id: row.chunk_id, score: Number(row.score) }));
}

async function vectorTop(
  tx: SqlExecutor,
  embedding: NonNullable<SearchQuery['embedding']>,
  repositoryUrl: string | null,
  n: number,
): Promise<Ranked[]> {
  const dims = embedding.vector.length;
  const { predicate, expression } = vectorTarget(embedding.model, dims);
  // A filtered HNSW scan stops after ef_search candidates unless iterative scans (pgvector 0.8)
  // go on until LIMIT rows pass the filter; relaxed order is re-sorted below.
  await tx.query(
    `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
    [String(Math.max(40, Math.min(1000, n)))],
  );
  const rows = await tx.query<{ chunk_id: string; distance: number | string }>(
    `SELECT id::text AS chunk_id, ${expression} <=> $2::vector(${dims}) AS distance
     FROM rag_chunks
     WHERE ${predicate}
       AND file_id IN (SELECT gf.file_id FROM rag_generation_files gf WHERE gf.generation_id IN (${SCOPE}))
     ORDER BY ${expression} <=> $2::vector(${dims})
     LIMIT $3`,
    [repositoryUrl, vectorLiteral(embedding.vector), n],
  );
  return rows
    .map((row) => ({ chunk_id: row.chunk_id, score: 1 - Number(row.distance) }))
    .sort((a, b) => b.score - a.score || a.chunk_id.localeCompare(b.chunk_id));
}

/** RRF: Σ 1 / (RRF_K + rank) over the lists a chunk is in; ties keep the lexical order. */
export function reciprocalRankFusion(lists: readonly (readonly Ranked[])[], k: number): Ranked[] {
  const fused = new Map<string, { score: number; first: number }>();
  lists.forEach((list, listIndex) => {
    list.forEach((item, index) => {
      const entry = fused.get(item.chunk_id) ?? { score: 0, first: listIndex * 1e6 + index };
      entry.score += 1 / (RRF_K + index + 1);
      fused.set(item.chunk_id, entry);
    });
  });
  return [...fused.entries()]
    .sort(([, a], [, b]) => b.score - a.score || a.first - b.first)
    .slice(0, k)
    .map(([chunk_id, { score }]) => ({ chunk_id, score }));
}

/** The lines of `content` with the most query-term hits, with a line of context before. */
export function snippetOf(content: string, terms: readonly string[]): string {
  const lines = content.split('\n');
  let best = 0;
  let bestHits = 0;
  if (terms.length > 0) {
    lines.forEach((line, index) => {
      const lower = line.toLowerCase();
      const hits = terms.reduce((acc, term) => acc + (lower.includes(term) ? 1 : 0), 0);
      if (hits > bestHits) {
        bestHits = hits;
        best = index;
      }
    });
  }
  const start = Math.max(0, best - 1);
  const text = lines
    .slice(start, start + SNIPPET_LINES)
    .join('\n')
    .trimEnd();
  return text.length <= SNIPPET_CHARS ? text : `${text.slice(0, SNIPPET_CHARS - 1)}…`;
}

interface DetailRow {
  chunk_id: string;
  repository_url: string;
  commit_sha: string;
  path: string;
  start_line: number;
  end_line: number;
  symbol: string | null;
  content: string;
}

async function details(tx: SqlExecutor, ranked: readonly Ranked[], terms: readonly string[]): Promise<SearchResult[]> {
  if (ranked.length === 0) return [];
  const rows = await tx.query<DetailRow>(
    `SELECT ch.id::text AS chunk_id, f.repository_url, r.commit_sha, f.path, ch.start_line, ch.end_line, ch.symbol,
            ch.content
     FROM rag_chunks ch
     JOIN rag_files f ON f.id = ch.file_id
     JOIN rag_repositories r ON r.repository_url = f.repository_url
     WHERE ch.id = ANY($1::bigint[])`,
    [textArray(ranked.map((r) => r.chunk_id))],
  );
  const byId = new Map(rows.map((row) => [row.chunk_id, row]));
  return ranked.flatMap((item) => {
    const row = byId.get(item.chunk_id);
    if (row === undefined) return [];
    return [
      {
        repository_url: row.repository_url,
        commit: row.commit_sha,
        path: row.path,
        start_line: row.start_line,
        end_line: row.end_line,
        symbol: row.symbol,
        score: item.score,
        snippet: snippetOf(row.content, terms),
      },
    ];
  });
}

export function validateQuery(query: SearchQuery): void {
  if (!Number.isInteger(query.k) || query.k < 1 || query.k > MAX_K) {
    throw new RepolensError(ErrorCodes.inputInvalid, `k must be an integer from 1 to ${MAX_K}, got ${query.k}`);
  }
  if (query.query.length > MAX_QUERY_LENGTH) {
    throw new RepolensError(ErrorCodes.inputInvalid, `a query is at most ${MAX_QUERY_LENGTH} characters`);
  }
}

export function createSearch(
  executor: SqlExecutor,
  parameters: Bm25Parameters,
): (query: SearchQuery) => Promise<SearchResponse> {
  const sql = bm25Sql(parameters);
  return async (query) => {
    validateQuery(query);
    const terms = queryTerms(query.query).slice(0, MAX_QUERY_TERMS);
    const repositoryUrl = query.repositoryUrl ?? null;
    const embedding = query.embedding;
    // Each list contributes its top N to the fusion; deeper than k so fusion can reorder.
    const depth = Math.max(50, query.k * 4);
    return executor.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (embedding === undefined) {
        const top = await lexicalTop(tx, sql, terms, repositoryUrl, query.k);
        return { mode: 'lexical', results: await details(tx, top, terms) };
      }
      const lexical = await lexicalTop(tx, sql, terms, repositoryUrl, depth);
      const vector = await vectorTop(tx, embedding, repositoryUrl, depth);
      return { mode: 'hybrid', results: await details(tx, reciprocalRankFusion([lexical, vector], query.k), terms) };
    });
  };
}
