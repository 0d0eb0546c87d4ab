/**
 * Search over the current generations: BM25F over the postings, optionally fused with HNSW vector
 * top-N by reciprocal rank fusion. Everything a search reads runs in one REPEATABLE READ
 * transaction, so the lexical list, the vector list and the chunk details come from one
 * snapshot: a publish switching generations meanwhile is seen entirely or not at all.
 *
 * BM25F (Robertson & Zaragoza, "simple BM25F"): per query term t and chunk d,
 *   tf~ = Σ_f w_f · tf_f / (1 − b_f + b_f · len_f / avglen_f)     f ∈ {body, path, symbol}
 *   score += idf(t) · tf~ · (k1 + 1) / (k1 + tf~),  idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 * with N and df taken over the searched scope (one repository's current generation, or all
 * current generations; df from `rag_term_df` unscoped, counted from the postings read scoped) and
 * the average field lengths of the chunk's own generation (its repository's current one): the
 * lengths a posting's impact was computed with, so the impact order is the score order.
 *
 * Which postings are read (migration 0006): a search scoped to a repository reads all of that
 * repository's postings of the query terms (primary key `(term, repo_key, chunk_id)`), so it is
 * exact. An unscoped search reads each term's `depth` postings of highest impact (index
 * `(term, impact DESC)`), takes the chunks found as candidates and scores each candidate exactly
 * from all its query-term postings: a chunk outside every term's top `depth` is missed, which
 * for depth ≫ k rarely changes the top k (bench/rag.ts measures the agreement).
 */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { SearchQuery, SearchResponse, SearchResult } from '../../ports/chunk-index.js';
import { textArray } from './chunk-index-arrays.js';
import { repositoryKey, type Bm25Parameters } from './chunk-index-impact.js';
import { queryTerms } from './chunk-index-tokens.js';
import { vectorLiteral, vectorTarget } from './chunk-index-vectors.js';
import type { SqlExecutor } from './sql-executor.js';

export { DEFAULT_BM25, type Bm25Parameters } from './chunk-index-impact.js';

/**
 * Postings read per query term by an unscoped search (at least 4× the results wanted): the
 * precision/speed knob of impact-ordered early termination; `null` reads them all (exhaustive).
 */
export const DEFAULT_TERM_DEPTH = 400;
/** Candidates an unscoped search scores exactly, best upper bound first (at least 4× the results). */
export const DEFAULT_CANDIDATES = 200;

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
  return `${float(field.weight)} * h.tf_${name} / (${float(1 - field.b)} + ${float(field.b)} * h.len_${name} / h.avg_${name})`;
}

/** Scope of current generations: `$1` is the repository or NULL for all. */
const SCOPE = `SELECT generation_id FROM rag_repositories WHERE $1::text IS NULL OR repository_url = $1`;

const CORPUS = `
    corpus AS MATERIALIZED (
      SELECT greatest(sum(g.chunk_count), 1)::float8 AS n,
             greatest(sum(g.body_length)::float8 / greatest(sum(g.chunk_count), 1), 1) AS avg_body,
             greatest(sum(g.path_length)::float8 / greatest(sum(g.chunk_count), 1), 1) AS avg_path,
             greatest(sum(g.symbol_length)::float8 / greatest(sum(g.chunk_count), 1), 1) AS avg_symbol
      FROM rag_generations g WHERE g.id IN (SELECT generation_id FROM scope)
    )`;

function scoreSql(p: Bm25Parameters): string {
  return `
    SELECT h.chunk_id::text AS chunk_id, sum(i.idf * x.tf * ${float(p.k1 + 1)} / (${float(p.k1)} + x.tf)) AS score
    FROM hits h
    JOIN idf i ON i.term = h.term
    CROSS JOIN LATERAL (SELECT ${fieldTerm('body', p.body)} + ${fieldTerm('path', p.path)} + ${fieldTerm('symbol', p.symbol)} AS tf) x
    GROUP BY h.chunk_id
    ORDER BY score DESC, h.chunk_id
    LIMIT $3`;
}

/** One repository ($1, key $4): every posting of its current generation for the terms ($2). */
function scopedSql(p: Bm25Parameters): string {
  return `
    WITH scope AS MATERIALIZED (${SCOPE}),${CORPUS},
    hits AS MATERIALIZED (
      SELECT p.term, p.chunk_id, p.tf_body, p.tf_path, p.tf_symbol, p.len_body, p.len_path, p.len_symbol,
             c.avg_body, c.avg_path, c.avg_symbol
      FROM rag_postings p CROSS JOIN corpus c
      WHERE p.term = ANY($2::text[]) AND p.repo_key = $4::int
        AND p.file_id IN (SELECT gf.file_id FROM rag_generation_files gf WHERE gf.generation_id IN (SELECT generation_id FROM scope))
    ),
    idf AS (
      SELECT h.term, ln(1 + (c.n - count(*) + 0.5) / (count(*) + 0.5)) AS idf
      FROM hits h CROSS JOIN corpus c GROUP BY h.term, c.n
    )${scoreSql(p)}`;
}

/**
 * All current generations: per term ($2) the $4 current postings of highest impact give the
 * candidates, each scored from all its postings of the terms; df from rag_term_df.
 */
function unscopedSql(p: Bm25Parameters): string {
  return `
    WITH scope AS MATERIALIZED (${SCOPE}),${CORPUS},
    -- By term first (one range per term), then the scope: not a probe per generation.
    dfs AS MATERIALIZED (SELECT d.term, d.generation_id, d.df FROM rag_term_df d WHERE d.term = ANY($2::text[])),
    idf AS MATERIALIZED (
      SELECT d.term, ln(1 + (c.n - sum(d.df) + 0.5) / (sum(d.df) + 0.5)) AS idf
      FROM dfs d CROSS JOIN corpus c
      WHERE d.generation_id IN (SELECT generation_id FROM scope)
      GROUP BY d.term, c.n
    ),
    walk AS MATERIALIZED (
      SELECT idf.term, idf.idf, t.chunk_id, t.repo_key, t.file_id, t.impact
      FROM idf CROSS JOIN LATERAL (
        SELECT p.chunk_id, p.repo_key, p.file_id, p.impact FROM rag_postings p
        WHERE p.term = idf.term
          -- Current (in some repository's current generation; unscoped, the scope is all of
          -- them). A scalar subquery, not EXISTS: a semi-join would read all the term's
          -- postings to sort them; this walks the impact index in order and stops after $4.
          AND (SELECT true FROM rag_generation_files gf JOIN rag_repositories r ON r.generation_id = gf.generation_id
               WHERE gf.file_id = p.file_id LIMIT 1)
        ORDER BY p.impact DESC
        LIMIT $4::bigint
      ) t
    ),
    -- What a chunk missing from a term's list can at most get from that term: the last impact
    -- read when the walk was cut at $4, else nothing (the list is complete).
    floors AS MATERIALIZED (
      SELECT i.term, i.idf * CASE WHEN count(w.chunk_id) >= $4::bigint THEN min(w.impact) ELSE 0 END AS floor
      FROM idf i LEFT JOIN walk w ON w.term = i.term
      GROUP BY i.term, i.idf
    ),
    bounds AS MATERIALIZED (
      SELECT w.chunk_id, w.repo_key, w.file_id, sum(w.idf * w.impact) AS seen,
             sum(w.idf * w.impact) + (SELECT sum(floor) FROM floors) - sum(f.floor) AS upper
      FROM walk w JOIN floors f ON f.term = w.term
      GROUP BY w.chunk_id, w.repo_key, w.file_id
    ),
    -- Threshold-algorithm pruning: a candidate whose upper bound is below the $3-th best seen
    -- score cannot reach the top $3 (a reused file's impacts may be computed with an older
    -- generation's averages, so the cut keeps a 10% margin). Common terms have flat impacts, so
    -- many may pass: the $5 with the best bounds are scored exactly.
    candidates AS MATERIALIZED (
      SELECT b.chunk_id, b.repo_key, b.file_id FROM bounds b
      WHERE b.upper >= 0.9 * coalesce((SELECT seen FROM bounds ORDER BY seen DESC OFFSET $3 - 1 LIMIT 1), 0)
      ORDER BY b.upper DESC, b.seen DESC, b.chunk_id
      LIMIT $5::bigint
    ),
    hits AS MATERIALIZED (
      SELECT p.term, p.chunk_id, p.tf_body, p.tf_path, p.tf_symbol, p.len_body, p.len_path, p.len_symbol,
             a.avg_body, a.avg_path, a.avg_symbol
      FROM candidates k
      -- The chunk's own generation's averages, as its impacts were computed with.
      CROSS JOIN LATERAL (
        SELECT greatest(g.body_length::float8 / greatest(g.chunk_count, 1), 1) AS avg_body,
               greatest(g.path_length::float8 / greatest(g.chunk_count, 1), 1) AS avg_path,
               greatest(g.symbol_length::float8 / greatest(g.chunk_count, 1), 1) AS avg_symbol
        FROM rag_generation_files gf
        JOIN rag_repositories r ON r.generation_id = gf.generation_id
        JOIN rag_generations g ON g.id = r.generation_id
        WHERE gf.file_id = k.file_id
        LIMIT 1
      ) a
      CROSS JOIN LATERAL (
        -- OFFSET 0 keeps this a per-candidate primary-key probe (a hash join would read every
        -- posting of the terms).
        SELECT p.term, p.chunk_id, p.tf_body, p.tf_path, p.tf_symbol, p.len_body, p.len_path, p.len_symbol
        FROM rag_postings p
        WHERE p.term = ANY($2::text[]) AND p.repo_key = k.repo_key AND p.chunk_id = k.chunk_id
        OFFSET 0
      ) p
    )${scoreSql(p)}`;
}

interface LexicalSql {
  readonly scoped: string;
  readonly unscoped: string;
  /** Postings read per term when unscoped; null for all. */
  readonly termDepth: number | null;
  /** Candidates scored exactly when unscoped (with a depth). */
  readonly candidates: number;
}

async function lexicalTop(
  tx: SqlExecutor,
  sql: LexicalSql,
  terms: readonly string[],
  repositoryUrl: string | null,
  n: number,
): Promise<Ranked[]> {
  if (terms.length === 0) return [];
  const rows =
    repositoryUrl === null
      ? await tx.query<{ chunk_id: string; score: number | string }>(sql.unscoped, [
          null,
          textArray(terms),
          n,
          sql.termDepth === null ? null : Math.max(sql.termDepth, 4 * n),
          sql.termDepth === null ? null : Math.max(sql.candidates, 4 * n),
        ])
      : await tx.query<{ chunk_id: string; score: number | string }>(sql.scoped, [
          repositoryUrl,
          textArray(terms),
          n,
          repositoryKey(repositoryUrl),
        ]);
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
  if (repositoryUrl !== null) {
    // One repository: exact distances over its current chunks (found by file). A filtered HNSW
    // scan would wade through the other repositories' vectors to fill the top N, and may not.
    const rows = await tx.query<{ chunk_id: string; distance: number | string }>(
      `SELECT c.id::text AS chunk_id, c.embedding <=> $2::vector AS distance
       FROM rag_repositories r
       JOIN rag_generation_files gf ON gf.generation_id = r.generation_id
       JOIN rag_chunks c ON c.file_id = gf.file_id
       WHERE r.repository_url = $1 AND ${predicate}
       ORDER BY distance, c.id
       LIMIT $3`,
      [repositoryUrl, vectorLiteral(embedding.vector), n],
    );
    return rows.map((row) => ({ chunk_id: row.chunk_id, score: 1 - Number(row.distance) }));
  }
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
  termDepth: number | null = DEFAULT_TERM_DEPTH,
  candidates: number = DEFAULT_CANDIDATES,
): (query: SearchQuery) => Promise<SearchResponse> {
  const sql: LexicalSql = {
    scoped: scopedSql(parameters),
    unscoped: unscopedSql(parameters),
    termDepth,
    candidates,
  };
  return async (query) => {
    validateQuery(query);
    const terms = queryTerms(query.query).slice(0, MAX_QUERY_TERMS);
    const repositoryUrl = query.repositoryUrl ?? null;
    const embedding = query.embedding;
    // Each list contributes its top N to the fusion; deeper than k so fusion can reorder.
    const depth = Math.max(50, query.k * 4);
    return executor.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // The plans' row estimates are large enough to trigger JIT, whose compilation of the
      // scoring expressions costs seconds for a query that runs in milliseconds.
      await tx.query(`SELECT set_config('jit', 'off', true)`);
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
