/**
 * Vectors in the chunk index. `rag_chunks.embedding` is a `vector` of no fixed dimension, so one
 * table holds every model's vectors; HNSW needs a fixed dimension, so each (model, dimensions)
 * gets its own partial expression index, `((embedding::vector(D)) vector_cosine_ops) WHERE
 * embedding_model = '<model>' AND embedding_dims = D`, made the first time the model's vectors
 * are written. Queries repeat that predicate and expression literally so the planner uses it.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { SqlExecutor } from './sql-executor.js';

/** pgvector's HNSW limit for `vector`; larger vectors are searched exactly (no index). */
export const MAX_HNSW_DIMENSIONS = 2000;
/** pgvector's limit for a `vector` value. */
export const MAX_DIMENSIONS = 16_000;

/** A SQL string literal; model names come from configuration, but quote them properly anyway. */
export function sqlLiteral(value: string): string {
  if (value.includes('\u0000')) throw new RepolensError(ErrorCodes.inputInvalid, 'a model name cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

/** pgvector's text form, after checking the vector is usable. */
export function vectorLiteral(vector: readonly number[], dimensions = vector.length): string {
  if (vector.length === 0 || vector.length > MAX_DIMENSIONS || vector.length !== dimensions) {
    throw new RepolensError(
      ErrorCodes.inputInvalid,
      `an embedding has ${vector.length} dimensions, expected ${dimensions} (1-${MAX_DIMENSIONS})`,
    );
  }
  for (const value of vector) {
    if (!Number.isFinite(value))
      throw new RepolensError(ErrorCodes.inputInvalid, 'an embedding has a non-finite value');
  }
  return `[${vector.join(',')}]`;
}

/** Parses pgvector's text output (`[1,2.5,-3e-05]`). */
export function parseVector(text: string): number[] {
  return JSON.parse(text) as number[];
}

export function vectorIndexName(model: string, dimensions: number): string {
  const digest = createHash('sha256').update(`${model}\u0000${dimensions}`).digest('hex').slice(0, 16);
  return `rag_chunks_hnsw_${digest}`;
}

/** The predicate and expression the partial index was made with, for queries to repeat. */
export function vectorTarget(model: string, dimensions: number): { predicate: string; expression: string } {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new RepolensError(ErrorCodes.inputInvalid, `invalid embedding dimensions ${dimensions}`);
  }
  return {
    predicate: `embedding_model = ${sqlLiteral(model)} AND embedding_dims = ${dimensions}`,
    expression: `(embedding::vector(${dimensions}))`,
  };
}

/**
 * Makes the HNSW index for (model, dimensions) once per database, under an advisory lock so
 * concurrent loaders do not build it twice. `known` memoises per process.
 */
export async function ensureVectorIndex(
  executor: SqlExecutor,
  model: string,
  dimensions: number,
  known: Set<string>,
): Promise<void> {
  const name = vectorIndexName(model, dimensions);
  if (known.has(name) || dimensions > MAX_HNSW_DIMENSIONS) return;
  const { predicate, expression } = vectorTarget(model, dimensions);
  await executor.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repolens:rag:vector-index:${name}`]);
    const rows = await tx.query<{ n: number }>('SELECT 1 AS n FROM rag_vector_indexes WHERE index_name = $1', [name]);
    if (rows.length > 0) return;
    await tx.exec(
      `CREATE INDEX IF NOT EXISTS ${name} ON rag_chunks USING hnsw (${expression} vector_cosine_ops) WHERE ${predicate}`,
    );
    await tx.query(
      'INSERT INTO rag_vector_indexes (model, dimensions, index_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [model, dimensions, name],
    );
  });
  known.add(name);
}
