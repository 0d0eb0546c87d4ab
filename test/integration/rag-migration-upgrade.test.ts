/**
 * Upgrading an existing RAG index to migration 0006 (impact-ordered postings, document
 * frequencies, repository keys): an index written before 0006 and then migrated must rank exactly
 * like the same index written by today's code. The "before" database is built from the "after"
 * one's rows, restricted to the columns 0004 had, so both hold the same corpus.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundledMigrations,
  createSqlChunkIndex,
  runMigrations,
  type SqlDatabase,
} from '../../src/adapters/sql/index.js';
import { openPgliteDatabase } from '../../src/adapters/store-pglite/index.js';
import type { Chunk } from '../../src/ports/chunk.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const REPOSITORIES = ['https://git.example/acme/alpha', 'https://git.example/acme/beta'];
const QUERIES = ['loadConfig retry', 'parse options', 'retryPolicy backoff', 'connection pool', 'zephyr'];

function chunk(path: string, index: number, content: string, symbol: string | null): Chunk {
  return {
    path,
    startLine: index * 10 + 1,
    endLine: index * 10 + 9,
    language: 'typescript',
    symbol,
    kind: symbol === null ? 'window' : 'function',
    content,
    contentHash: sha(`${path}:${index}:${content}`),
    tokens: content.split(/\s+/).length,
  };
}

/** A small corpus with uneven term frequencies and lengths, so impacts and idf differ. */
function files(repository: string) {
  const words = ['loadConfig', 'retry', 'parse', 'options', 'retryPolicy', 'backoff', 'connection', 'pool'];
  return Array.from({ length: 8 }, (_, f) => {
    const path = `src/${repository.endsWith('alpha') ? 'a' : 'b'}/module${f}.ts`;
    const chunks = Array.from({ length: 3 + (f % 3) }, (_, c) => {
      const body = Array.from({ length: 3 + ((f * 7 + c * 3) % 11) }, (_, w) => words[(f + c * w) % words.length]);
      if (f === 5 && c === 1) body.push('zephyr');
      return chunk(path, c, body.join(' '), c % 2 === 0 ? `${words[f % words.length]}Handler${c}` : null);
    });
    return { path, contentHash: sha(path + repository), chunks };
  });
}

const TABLES: Record<string, string[]> = {
  rag_generations: [
    'id',
    'repository_url',
    'commit_sha',
    'created_at',
    'chunk_count',
    'body_length',
    'path_length',
    'symbol_length',
  ],
  rag_files: [
    'id',
    'repository_url',
    'path',
    'content_hash',
    'chunk_count',
    'body_length',
    'path_length',
    'symbol_length',
  ],
  rag_repositories: ['repository_url', 'generation_id', 'commit_sha', 'published_at'],
  rag_generation_files: ['generation_id', 'file_id'],
  rag_chunks: [
    'id',
    'file_id',
    'ordinal',
    'start_line',
    'end_line',
    'language',
    'symbol',
    'kind',
    'content',
    'content_hash',
    'tokens',
  ],
  rag_postings: [
    'term',
    'chunk_id',
    'file_id',
    'tf_body',
    'tf_path',
    'tf_symbol',
    'len_body',
    'len_path',
    'len_symbol',
  ],
};

describe('RAG index: upgrading to migration 0006', () => {
  let current: SqlDatabase;
  let upgraded: SqlDatabase;

  beforeAll(async () => {
    current = await openPgliteDatabase({ dataDir: 'memory://' });
    await current.migrate();
    const index = createSqlChunkIndex(current.executor);
    for (const repositoryUrl of REPOSITORIES) {
      await index.publish({ repositoryUrl, commit: 'c'.repeat(40), files: files(repositoryUrl), reuse: [] });
    }
    // The same rows in a database that stopped at 0005, then migrated to the end.
    const before = bundledMigrations().filter((migration) => migration.version <= 5);
    upgraded = await openPgliteDatabase({ dataDir: 'memory://', migrations: before });
    await upgraded.migrate();
    for (const [table, columns] of Object.entries(TABLES)) {
      const rows = await current.executor.query<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${table}`);
      for (const row of rows) {
        const values = columns.map((column) => row[column] as string | number | null);
        const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
        await upgraded.executor.query(
          `INSERT INTO ${table} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${placeholders})`,
          values,
        );
      }
    }
    await runMigrations(upgraded.executor, { migrations: bundledMigrations(), databaseLabel: 'upgraded' });
  }, 60_000);

  afterAll(async () => {
    await current?.close();
    await upgraded?.close();
  });

  it('backfills the impacts, repository keys and document frequencies today’s code writes', async () => {
    const postings = `SELECT term, chunk_id, repo_key, impact FROM rag_postings ORDER BY term, chunk_id`;
    type Posting = { term: string; chunk_id: string; repo_key: number; impact: number };
    const want = await current.executor.query<Posting>(postings);
    const got = await upgraded.executor.query<Posting>(postings);
    expect(got.length).toBe(want.length);
    expect(want.length).toBeGreaterThan(100);
    got.forEach((row, i) => {
      const expected = want[i];
      expect([row.term, row.chunk_id, row.repo_key]).toEqual([expected?.term, expected?.chunk_id, expected?.repo_key]);
      expect(row.impact).toBeCloseTo(expected?.impact ?? Number.NaN, 4);
    });
    const df = `SELECT term, generation_id, df FROM rag_term_df ORDER BY term, generation_id`;
    expect(await upgraded.executor.query(df)).toEqual(await current.executor.query(df));
  });

  it('ranks every query exactly as an index written by today’s code, scoped and unscoped', async () => {
    const fresh = createSqlChunkIndex(current.executor);
    const migrated = createSqlChunkIndex(upgraded.executor);
    const ids = (results: readonly { path: string; start_line: number; score: number }[]) =>
      results.map((result) => `${result.path}:${result.start_line}:${result.score.toFixed(6)}`);
    for (const query of QUERIES) {
      for (const repositoryUrl of [undefined, ...REPOSITORIES]) {
        const scope = repositoryUrl === undefined ? {} : { repositoryUrl };
        const want = await fresh.search({ query, k: 10, ...scope });
        const got = await migrated.search({ query, k: 10, ...scope });
        expect(want.results.length).toBeGreaterThan(0);
        expect(ids(got.results)).toEqual(ids(want.results));
      }
    }
  });
});
