/**
 * Real PostgreSQL with pgvector (installed by scripts/install-pgvector.sh): the vector type, the
 * `<->` L2 distance operator and HNSW indexes, which the search index depends on.
 */
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestSchema, ensureExtension, type TestSchema } from '../support/postgres.js';

type Vec3 = readonly [number, number, number];

function toVectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

function l2(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

// Deterministic so a failure reproduces; values in [-10, 10) avoid distance ties in practice.
function pseudoRandomVectors(count: number, seed: number): Vec3[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.round((state / 2 ** 32) * 20_000 - 10_000) / 1000;
  };
  return Array.from({ length: count }, (): Vec3 => [next(), next(), next()]);
}

const QUERY: Vec3 = [1, 1, 1];

// Distances from QUERY: 0, 1, sqrt(3), sqrt(12), sqrt(48); the expected order is the list order.
const FIXED_ROWS: ReadonlyArray<{ label: string; embedding: Vec3 }> = [
  { label: 'far', embedding: [5, 5, 5] },
  { label: 'near', embedding: [1, 1, 2] },
  { label: 'opposite', embedding: [-1, -1, -1] },
  { label: 'exact', embedding: [1, 1, 1] },
  { label: 'mid', embedding: [2, 2, 2] },
];
const EXPECTED_ORDER = ['exact', 'near', 'mid', 'opposite', 'far'];

let db: TestSchema | undefined;

function pool(): Pool {
  if (db === undefined) throw new Error('beforeAll did not create the test schema');
  return db.pool();
}

async function insertRows(rows: ReadonlyArray<{ label: string; embedding: Vec3 }>): Promise<void> {
  await pool().query('INSERT INTO items (label, embedding) SELECT * FROM unnest($1::text[], $2::vector[])', [
    rows.map((row) => row.label),
    rows.map((row) => toVectorLiteral(row.embedding)),
  ]);
}

interface NeighbourRow {
  label: string;
  distance: number;
}

async function nearest(query: Vec3, limit: number): Promise<NeighbourRow[]> {
  const result = await pool().query<NeighbourRow>(
    'SELECT label, (embedding <-> $1::vector)::float8 AS distance FROM items ORDER BY embedding <-> $1::vector LIMIT $2',
    [toVectorLiteral(query), limit],
  );
  return result.rows;
}

beforeAll(async () => {
  db = await createTestSchema('pgvector');
  await ensureExtension(db.pool(), 'vector');
  await db
    .pool()
    .query(
      'CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL, embedding vector(3) NOT NULL)',
    );
  await insertRows(FIXED_ROWS);
}, 30_000);

afterAll(async () => {
  await db?.drop();
});

describe('PostgreSQL with pgvector', () => {
  it('tolerates concurrent extension creation from parallel test files', async () => {
    const target = db;
    if (target === undefined) throw new Error('beforeAll did not create the test schema');
    // Separate pools mean separate sessions, which is what parallel test files are.
    const pools = Array.from({ length: 4 }, () => target.createPool({ max: 1 }));
    await Promise.all(pools.map((each) => ensureExtension(each, 'vector')));

    const { rows } = await pool().query<{ schema: string; version: string }>(
      `SELECT n.nspname AS schema, e.extversion AS version
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'vector'`,
    );
    // In public, not in a test schema: dropping a test schema must not take the extension along.
    expect(rows.map((row) => row.schema)).toEqual(['public']);
    expect(rows[0]?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('keeps the table in the test schema', async () => {
    const { rows } = await pool().query<{ schema: string }>(
      "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'items' AND table_schema = current_schema()",
    );
    expect(rows).toEqual([{ schema: db?.schema }]);
  });

  it('orders rows by L2 distance with <->', async () => {
    const rows = await nearest(QUERY, FIXED_ROWS.length);

    expect(rows.map((row) => row.label)).toEqual(EXPECTED_ORDER);
    const expectedDistances = [0, 1, Math.sqrt(3), Math.sqrt(12), Math.sqrt(48)];
    rows.forEach((row, index) => {
      expect(row.distance).toBeCloseTo(expectedDistances[index] ?? Number.NaN, 5);
    });
  });

  it('builds an HNSW index and answers nearest-neighbour queries through it', async () => {
    await pool().query('CREATE INDEX items_embedding_hnsw ON items USING hnsw (embedding vector_l2_ops)');
    // Rows added after the build exercise HNSW's insert path, not only the bulk build.
    const extra = pseudoRandomVectors(200, 42).map((embedding, index) => ({ label: `r${index}`, embedding }));
    await insertRows(extra);

    const client = await pool().connect();
    try {
      await client.query('BEGIN');
      // A table this small would be seq-scanned; the point is to prove the index answers.
      await client.query('SET LOCAL enable_seqscan = off');
      // Above the row count, so HNSW's approximate search is exhaustive and the result exact.
      await client.query('SET LOCAL hnsw.ef_search = 400');
      const all = [...FIXED_ROWS, ...extra];
      for (const probe of [QUERY, [3.3, -2.1, 0.7] as const]) {
        const sql = 'SELECT label FROM items ORDER BY embedding <-> $1::vector LIMIT 10';
        const params = [toVectorLiteral(probe)];

        const plan = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        expect(JSON.stringify(plan.rows[0]?.['QUERY PLAN'])).toContain('items_embedding_hnsw');

        const viaIndex = await client.query<{ label: string }>(sql, params);
        const bruteForce = [...all]
          .sort((a, b) => l2(a.embedding, probe) - l2(b.embedding, probe))
          .slice(0, 10)
          .map((row) => row.label);
        expect(viaIndex.rows.map((row) => row.label)).toEqual(bruteForce);
      }
      await client.query('COMMIT');
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });
});
