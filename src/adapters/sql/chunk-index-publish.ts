/**
 * Publishing a repository's chunks for a commit (see the ChunkIndex contract). Three steps:
 *  1. a new `rag_generations` row (the generation being built) and membership rows for the
 *     reused file versions;
 *  2. the new file versions, in batches of about DEFAULT_BATCH_CHUNKS chunks, each batch one transaction
 *     writing files, chunks (with vectors) and postings, and linking them to the generation;
 *  3. the switch, one transaction under the repository's advisory lock: sum the generation's
 *     field lengths, point `rag_repositories` at it, drop the repository's other generations
 *     and delete the file versions no generation references any more.
 * A search filters on the current generation's files, so what step 2 writes is invisible until
 * step 3 commits. A failure before the switch removes the half-built generation.
 */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { Chunk } from '../../ports/chunk.js';
import type { ChunkedFile, PublishInput, PublishResult } from '../../ports/chunk-index.js';
import {
  averagesOf,
  DEFAULT_BM25,
  impactOf,
  repositoryKey,
  type Averages,
  type Bm25Parameters,
} from './chunk-index-impact.js';
import { countTerms } from './chunk-index-tokens.js';
import { numberArray, textArray } from './chunk-index-arrays.js';
import { ensureVectorIndex, vectorLiteral } from './chunk-index-vectors.js';
import type { SqlExecutor } from './sql-executor.js';
import { sqlState } from './sql-state.js';

export const ChunkIndexErrorCodes = {
  /** The current generation changed under a publish (another publish of the repository). */
  conflict: 'REPOLENS_RAG_CONFLICT',
} as const;

/** Chunks per write transaction, by default. */
export const DEFAULT_BATCH_CHUNKS = 500;
const SMALLINT_MAX = 32_767;

const clamp = (value: number): number => Math.min(value, SMALLINT_MAX);
// PostgreSQL text cannot hold NUL; repository content is untrusted.
const clean = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

interface PostingRows {
  term: string[];
  chunk: string[];
  file: string[];
  tfBody: number[];
  tfPath: number[];
  tfSymbol: number[];
  lenBody: number[];
  lenPath: number[];
  lenSymbol: number[];
  impact: number[];
}

/** What every batch of one publish shares. */
interface PublishContext {
  readonly generation: string;
  readonly input: PublishInput;
  readonly bm25: Bm25Parameters;
  /** The new generation's average field lengths, for the postings' impacts. */
  readonly averages: Averages;
  readonly repoKey: number;
}

interface AnalysedChunk {
  readonly chunk: Chunk;
  readonly terms: Map<string, [number, number, number]>;
  readonly lengths: [number, number, number];
}

/** Term frequencies per field (body, path, symbol) of one chunk. */
function analyse(chunk: Chunk, path: string): AnalysedChunk {
  const fields = [countTerms(chunk.content), countTerms(path), countTerms(chunk.symbol ?? '')];
  const terms = new Map<string, [number, number, number]>();
  fields.forEach((field, index) => {
    for (const [term, count] of field.counts) {
      let row = terms.get(term);
      if (row === undefined) {
        row = [0, 0, 0];
        terms.set(term, row);
      }
      row[index] = clamp(count);
    }
  });
  return {
    chunk,
    terms,
    lengths: [clamp(fields[0]?.length ?? 0), clamp(fields[1]?.length ?? 0), clamp(fields[2]?.length ?? 0)],
  };
}

function validate(input: PublishInput): void {
  const seen = new Set<string>();
  for (const file of [...input.files, ...input.reuse]) {
    if (seen.has(file.path)) {
      throw new RepolensError(ErrorCodes.inputInvalid, `publish lists ${JSON.stringify(file.path)} twice`);
    }
    seen.add(file.path);
  }
  for (const file of input.files) {
    if (file.embeddings !== undefined) {
      if (input.embeddingModel === undefined) {
        throw new RepolensError(ErrorCodes.inputInvalid, 'embeddings given without embeddingModel');
      }
      if (file.embeddings.length !== file.chunks.length) {
        throw new RepolensError(
          ErrorCodes.inputInvalid,
          `${file.path}: ${file.embeddings.length} embeddings for ${file.chunks.length} chunks`,
        );
      }
    }
  }
}

function conflict(message: string, cause?: unknown): RepolensError {
  return new RepolensError(ChunkIndexErrorCodes.conflict, message, { retryable: true, cause });
}

async function linkReused(tx: SqlExecutor, generation: string, input: PublishInput): Promise<void> {
  if (input.reuse.length === 0) return;
  const rows = await tx.query<{ n: number }>(
    `WITH linked AS (
       INSERT INTO rag_generation_files (generation_id, file_id)
       SELECT $1::bigint, f.id
       FROM rag_repositories r
       JOIN rag_generation_files cur ON cur.generation_id = r.generation_id
       JOIN rag_files f ON f.id = cur.file_id
       JOIN unnest($3::text[], $4::text[]) AS u(path, content_hash)
         ON f.path = u.path AND f.content_hash = u.content_hash
       WHERE r.repository_url = $2
       ON CONFLICT DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM linked`,
    [
      generation,
      input.repositoryUrl,
      textArray(input.reuse.map((f) => clean(f.path))),
      textArray(input.reuse.map((f) => f.contentHash)),
    ],
  );
  const linked = rows[0]?.n ?? 0;
  if (linked !== input.reuse.length) {
    throw conflict(
      `${input.repositoryUrl}: ${input.reuse.length - linked} of the files to reuse are no longer in the current generation`,
    );
  }
  // The reused files' document frequencies (written with the generation, so idf needs no count).
  await tx.query(
    `INSERT INTO rag_term_df (term, generation_id, df)
     SELECT p.term, $1::bigint, count(*)::int
     FROM rag_generation_files gf JOIN rag_postings p ON p.file_id = gf.file_id
     WHERE gf.generation_id = $1::bigint
     GROUP BY p.term`,
    [generation],
  );
}

/** Adds document frequencies to the generation's (one statement per batch). */
async function addDf(tx: SqlExecutor, generation: string, df: ReadonlyMap<string, number>): Promise<void> {
  if (df.size === 0) return;
  await tx.query(
    `INSERT INTO rag_term_df (term, generation_id, df)
     SELECT t, $1::bigint, d FROM unnest($2::text[], $3::int[]) AS u(t, d)
     ON CONFLICT (term, generation_id) DO UPDATE SET df = rag_term_df.df + excluded.df`,
    [generation, textArray([...df.keys()]), numberArray([...df.values()])],
  );
}

/** Writes one batch of file versions and links them to the generation. */
async function writeBatch(
  tx: SqlExecutor,
  context: PublishContext,
  batch: readonly ChunkedFile[],
  analysed: readonly AnalysedChunk[][],
): Promise<void> {
  const { generation, input } = context;
  const { repositoryUrl } = input;
  const sum = (list: readonly AnalysedChunk[], field: 0 | 1 | 2): number =>
    list.reduce((acc, c) => acc + c.lengths[field], 0);
  const inserted = await tx.query<{ id: string; path: string }>(
    `INSERT INTO rag_files (repository_url, path, content_hash, chunk_count, body_length, path_length, symbol_length)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[])
     ON CONFLICT (repository_url, path, content_hash) DO NOTHING
     RETURNING id::text AS id, path`,
    [
      repositoryUrl,
      textArray(batch.map((f) => clean(f.path))),
      textArray(batch.map((f) => f.contentHash)),
      numberArray(batch.map((f) => f.chunks.length)),
      numberArray(analysed.map((list) => sum(list, 0))),
      numberArray(analysed.map((list) => sum(list, 1))),
      numberArray(analysed.map((list) => sum(list, 2))),
    ],
  );
  const fresh = new Map(inserted.map((row) => [row.path, row.id]));
  // A version the repository already has (same path and hash): chunks are there; it may only
  // lack this model's vectors (the loader re-chunks files not embedded by the current model).
  const existing = batch.filter((f) => !fresh.has(clean(f.path)));
  const existingIds = new Map<string, string>();
  if (existing.length > 0) {
    const rows = await tx.query<{ id: string; path: string }>(
      `SELECT f.id::text AS id, f.path FROM rag_files f
       JOIN unnest($2::text[], $3::text[]) AS u(path, content_hash) ON f.path = u.path AND f.content_hash = u.content_hash
       WHERE f.repository_url = $1`,
      [repositoryUrl, textArray(existing.map((f) => clean(f.path))), textArray(existing.map((f) => f.contentHash))],
    );
    for (const row of rows) existingIds.set(row.path, row.id);
    // Their postings exist already (written for an earlier generation): count them as they are.
    if (existingIds.size > 0) {
      await tx.query(
        `INSERT INTO rag_term_df (term, generation_id, df)
         SELECT p.term, $1::bigint, count(*)::int FROM rag_postings p WHERE p.file_id = ANY($2::bigint[])
         GROUP BY p.term
         ON CONFLICT (term, generation_id) DO UPDATE SET df = rag_term_df.df + excluded.df`,
        [generation, textArray([...existingIds.values()])],
      );
    }
  }
  const model = input.embeddingModel ?? null;

  const chunkCols = {
    file: [] as string[],
    ordinal: [] as number[],
    start: [] as number[],
    end: [] as number[],
    language: [] as (string | null)[],
    symbol: [] as (string | null)[],
    kind: [] as string[],
    content: [] as string[],
    hash: [] as string[],
    tokens: [] as number[],
    model: [] as (string | null)[],
    dims: [] as (number | null)[],
    vector: [] as (string | null)[],
  };
  const updates = { file: [] as string[], ordinal: [] as number[], dims: [] as number[], vector: [] as string[] };
  batch.forEach((file, fileIndex) => {
    const path = clean(file.path);
    const freshId = fresh.get(path);
    const embeddings = file.embeddings;
    if (freshId === undefined) {
      const id = existingIds.get(path);
      if (id === undefined) throw conflict(`${repositoryUrl}: ${path} vanished while publishing`);
      embeddings?.forEach((vector, ordinal) => {
        updates.file.push(id);
        updates.ordinal.push(ordinal);
        updates.dims.push(vector.length);
        updates.vector.push(vectorLiteral(vector));
      });
      return;
    }
    (analysed[fileIndex] ?? []).forEach(({ chunk }, ordinal) => {
      const vector = embeddings?.[ordinal];
      chunkCols.file.push(freshId);
      chunkCols.ordinal.push(ordinal);
      chunkCols.start.push(chunk.startLine);
      chunkCols.end.push(chunk.endLine);
      chunkCols.language.push(chunk.language === null ? null : clean(chunk.language));
      chunkCols.symbol.push(chunk.symbol === null ? null : clean(chunk.symbol));
      chunkCols.kind.push(clean(chunk.kind));
      chunkCols.content.push(clean(chunk.content));
      chunkCols.hash.push(chunk.contentHash);
      chunkCols.tokens.push(chunk.tokens);
      chunkCols.model.push(vector === undefined ? null : model);
      chunkCols.dims.push(vector === undefined ? null : vector.length);
      chunkCols.vector.push(vector === undefined ? null : vectorLiteral(vector));
    });
  });

  if (updates.file.length > 0) {
    await tx.query(
      `UPDATE rag_chunks c SET embedding_model = $1, embedding_dims = u.dims, embedding = u.vector::vector
       FROM unnest($2::bigint[], $3::int[], $4::int[], $5::text[]) AS u(file_id, ordinal, dims, vector)
       WHERE c.file_id = u.file_id AND c.ordinal = u.ordinal`,
      [
        model,
        textArray(updates.file),
        numberArray(updates.ordinal),
        numberArray(updates.dims),
        textArray(updates.vector),
      ],
    );
  }

  if (chunkCols.file.length > 0) {
    const ids = await tx.query<{ id: string; file_id: string; ordinal: number }>(
      `INSERT INTO rag_chunks (file_id, ordinal, start_line, end_line, language, symbol, kind, content, content_hash,
                               tokens, embedding_model, embedding_dims, embedding)
       SELECT f, o, s, e, l, sy, k, c, h, t, m, d, v::vector
       FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::int[], $11::text[], $12::int[], $13::text[]) AS u(f, o, s, e, l, sy, k, c, h, t, m, d, v)
       RETURNING id::text AS id, file_id::text AS file_id, ordinal`,
      [
        textArray(chunkCols.file),
        numberArray(chunkCols.ordinal),
        numberArray(chunkCols.start),
        numberArray(chunkCols.end),
        textArray(chunkCols.language),
        textArray(chunkCols.symbol),
        textArray(chunkCols.kind),
        textArray(chunkCols.content),
        textArray(chunkCols.hash),
        numberArray(chunkCols.tokens),
        textArray(chunkCols.model),
        numberArray(chunkCols.dims),
        textArray(chunkCols.vector),
      ],
    );
    const chunkId = new Map(ids.map((row) => [`${row.file_id}:${row.ordinal}`, row.id]));
    const postings: PostingRows = {
      term: [],
      chunk: [],
      file: [],
      tfBody: [],
      tfPath: [],
      tfSymbol: [],
      lenBody: [],
      lenPath: [],
      lenSymbol: [],
      impact: [],
    };
    const df = new Map<string, number>();
    batch.forEach((file, fileIndex) => {
      const fileId = fresh.get(clean(file.path));
      if (fileId === undefined) return;
      (analysed[fileIndex] ?? []).forEach(({ terms, lengths }, ordinal) => {
        const id = chunkId.get(`${fileId}:${ordinal}`);
        if (id === undefined) throw new RepolensError(ErrorCodes.internal, 'a chunk insert returned no id');
        for (const [term, [body, path, symbol]] of terms) {
          postings.term.push(term);
          postings.chunk.push(id);
          postings.file.push(fileId);
          postings.tfBody.push(body);
          postings.tfPath.push(path);
          postings.tfSymbol.push(symbol);
          postings.lenBody.push(lengths[0]);
          postings.lenPath.push(lengths[1]);
          postings.lenSymbol.push(lengths[2]);
          postings.impact.push(impactOf(context.bm25, [body, path, symbol], lengths, context.averages));
          df.set(term, (df.get(term) ?? 0) + 1);
        }
      });
    });
    if (postings.term.length > 0) {
      await tx.query(
        `INSERT INTO rag_postings (term, chunk_id, file_id, tf_body, tf_path, tf_symbol, len_body, len_path, len_symbol,
                                   impact, repo_key)
         SELECT *, $11::int FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::smallint[], $5::smallint[],
                                         $6::smallint[], $7::smallint[], $8::smallint[], $9::smallint[], $10::real[])`,
        [
          textArray(postings.term),
          textArray(postings.chunk),
          textArray(postings.file),
          numberArray(postings.tfBody),
          numberArray(postings.tfPath),
          numberArray(postings.tfSymbol),
          numberArray(postings.lenBody),
          numberArray(postings.lenPath),
          numberArray(postings.lenSymbol),
          numberArray(postings.impact),
          context.repoKey,
        ],
      );
    }
    await addDf(tx, generation, df);
  }

  await tx.query(
    `INSERT INTO rag_generation_files (generation_id, file_id)
     SELECT $1::bigint, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
    [generation, textArray([...fresh.values(), ...existingIds.values()])],
  );
}

/** Deletes the repository's file versions that no generation references (their chunks cascade). */
async function collectGarbage(tx: SqlExecutor, repositoryUrl: string): Promise<void> {
  const orphans = `SELECT f.id FROM rag_files f WHERE f.repository_url = $1
    AND NOT EXISTS (SELECT 1 FROM rag_generation_files gf WHERE gf.file_id = f.id)`;
  await tx.query(`DELETE FROM rag_postings WHERE file_id IN (${orphans})`, [repositoryUrl]);
  await tx.query(`DELETE FROM rag_files WHERE id IN (${orphans})`, [repositoryUrl]);
}

async function switchTo(tx: SqlExecutor, generation: string, input: PublishInput): Promise<PublishResult> {
  const { repositoryUrl } = input;
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repolens:rag:repository:${repositoryUrl}`]);
  const rows = await tx.query<{ files: number; chunks: number }>(
    `WITH totals AS (
       SELECT count(*)::int AS files, coalesce(sum(f.chunk_count), 0) AS chunks,
              coalesce(sum(f.body_length), 0) AS body, coalesce(sum(f.path_length), 0) AS path,
              coalesce(sum(f.symbol_length), 0) AS symbol
       FROM rag_generation_files gf JOIN rag_files f ON f.id = gf.file_id WHERE gf.generation_id = $1::bigint
     )
     UPDATE rag_generations g SET chunk_count = t.chunks, body_length = t.body, path_length = t.path,
       symbol_length = t.symbol
     FROM totals t WHERE g.id = $1::bigint
     RETURNING t.files, t.chunks::int AS chunks`,
    [generation],
  );
  const totals = rows[0];
  if (totals === undefined) throw conflict(`${repositoryUrl}: another publish replaced this one while it was built`);
  await tx.query(
    `INSERT INTO rag_repositories (repository_url, generation_id, commit_sha, published_at)
     VALUES ($1, $2::bigint, $3, now())
     ON CONFLICT (repository_url) DO UPDATE
       SET generation_id = excluded.generation_id, commit_sha = excluded.commit_sha, published_at = excluded.published_at`,
    [repositoryUrl, generation, input.commit],
  );
  await tx.query('DELETE FROM rag_generations WHERE repository_url = $1 AND id <> $2::bigint', [
    repositoryUrl,
    generation,
  ]);
  await collectGarbage(tx, repositoryUrl);
  return { generation: Number(generation), files: totals.files, chunks: totals.chunks };
}

async function discard(executor: SqlExecutor, generation: string, repositoryUrl: string): Promise<void> {
  await executor.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repolens:rag:repository:${repositoryUrl}`]);
    await tx.query('DELETE FROM rag_generations WHERE id = $1::bigint', [generation]);
    await collectGarbage(tx, repositoryUrl);
  });
}

interface Batch {
  readonly files: ChunkedFile[];
  readonly analysed: AnalysedChunk[][];
}

function batches(files: readonly ChunkedFile[], analysed: readonly AnalysedChunk[][], batchChunks: number): Batch[] {
  const result: Batch[] = [];
  let current: Batch = { files: [], analysed: [] };
  let size = 0;
  files.forEach((file, i) => {
    current.files.push(file);
    current.analysed.push(analysed[i] ?? []);
    size += file.chunks.length;
    if (size >= batchChunks) {
      result.push(current);
      current = { files: [], analysed: [] };
      size = 0;
    }
  });
  if (current.files.length > 0) result.push(current);
  return result;
}

/** The new generation's average field lengths: its reused files (linked already) plus `analysed`. */
async function generationAverages(
  executor: SqlExecutor,
  generation: string,
  analysed: readonly AnalysedChunk[][],
): Promise<Averages> {
  const rows = await executor.query<{ chunks: string; body: string; path: string; symbol: string }>(
    `SELECT coalesce(sum(f.chunk_count), 0)::text AS chunks, coalesce(sum(f.body_length), 0)::text AS body,
            coalesce(sum(f.path_length), 0)::text AS path, coalesce(sum(f.symbol_length), 0)::text AS symbol
     FROM rag_generation_files gf JOIN rag_files f ON f.id = gf.file_id WHERE gf.generation_id = $1::bigint`,
    [generation],
  );
  const totals = [0, 0, 0, 0];
  const row = rows[0];
  if (row !== undefined) [row.chunks, row.body, row.path, row.symbol].forEach((v, i) => (totals[i] = Number(v)));
  for (const list of analysed) {
    for (const { lengths } of list) {
      totals[0] = (totals[0] ?? 0) + 1;
      lengths.forEach((length, i) => (totals[i + 1] = (totals[i + 1] ?? 0) + length));
    }
  }
  return averagesOf(totals[0] ?? 0, totals[1] ?? 0, totals[2] ?? 0, totals[3] ?? 0);
}

export async function publishGeneration(
  executor: SqlExecutor,
  input: PublishInput,
  vectorIndexes: Set<string>,
  batchChunks = DEFAULT_BATCH_CHUNKS,
  bm25: Bm25Parameters = DEFAULT_BM25,
): Promise<PublishResult> {
  validate(input);
  input.signal?.throwIfAborted();
  const model = input.embeddingModel;
  const dims = input.files.find((f) => f.embeddings !== undefined && f.embeddings.length > 0)?.embeddings?.[0]?.length;
  if (model !== undefined && dims !== undefined) await ensureVectorIndex(executor, model, dims, vectorIndexes);

  const created = await executor.query<{ id: string }>(
    'INSERT INTO rag_generations (repository_url, commit_sha) VALUES ($1, $2) RETURNING id::text AS id',
    [input.repositoryUrl, input.commit],
  );
  const generation = created[0]?.id;
  if (generation === undefined) throw new RepolensError(ErrorCodes.internal, 'generation insert returned no id');
  const total = input.files.reduce((acc, f) => acc + f.chunks.length, 0);
  try {
    await executor.transaction((tx) => linkReused(tx, generation, input));
    const analysed = input.files.map((file) => file.chunks.map((chunk) => analyse(chunk, clean(file.path))));
    const context: PublishContext = {
      generation,
      input,
      bm25,
      averages: await generationAverages(executor, generation, analysed),
      repoKey: repositoryKey(input.repositoryUrl),
    };
    let written = 0;
    input.onProgress?.(0, total);
    for (const batch of batches(input.files, analysed, batchChunks)) {
      input.signal?.throwIfAborted();
      await executor.transaction((tx) => writeBatch(tx, context, batch.files, batch.analysed));
      written += batch.files.reduce((acc, f) => acc + f.chunks.length, 0);
      input.onProgress?.(written, total);
    }
    input.signal?.throwIfAborted();
    return await executor.transaction((tx) => switchTo(tx, generation, input));
  } catch (error: unknown) {
    await discard(executor, generation, input.repositoryUrl).catch(() => undefined);
    // 23503: our generation (or a reused file) was deleted by a concurrent publish's switch.
    if (sqlState(error) === '23503') throw conflict(`${input.repositoryUrl}: a concurrent publish interfered`, error);
    throw error;
  }
}
