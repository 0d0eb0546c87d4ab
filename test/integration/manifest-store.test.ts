/** The ManifestStore contract on both databases: round trip, replace per commit, newest, bulk size. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlManifestStore, type SqlDatabase } from '../../src/adapters/sql/index.js';
import type { FileDecision, Manifest, ManifestStore } from '../../src/ports/manifest-store.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../support/sql-database.js';

const URL = 'https://example.com/acme/widget.git';
const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);

function file(path: string, overrides: Partial<FileDecision> = {}): FileDecision {
  return {
    path,
    included: true,
    reason: 'included',
    rule: 'included',
    language: 'TypeScript',
    category: 'source',
    vendored: false,
    generated: false,
    bytes: 120,
    tokens: 30,
    contentHash: 'f'.repeat(64),
    rank: 48.5,
    ...overrides,
  };
}

function manifest(commit: string, files: FileDecision[], extra: Partial<Manifest> = {}): Manifest {
  const included = files.filter((f) => f.included);
  return {
    repositoryUrl: URL,
    commit,
    files,
    secrets: [],
    totals: {
      files: files.length,
      included: included.length,
      excluded: files.length - included.length,
      includedBytes: included.reduce((sum, f) => sum + f.bytes, 0),
      includedTokens: included.reduce((sum, f) => sum + (f.tokens ?? 0), 0),
      byReason: { included: included.length, secret: files.length - included.length },
    },
    budget: null,
    partial: false,
    coveragePercent: 100,
    ...extra,
  };
}

describe.each(TEST_DATABASE_KINDS)('manifest store on %s', (kind) => {
  let database: SqlDatabase;
  let store: ManifestStore;
  beforeAll(async () => {
    database = await openTestDatabase(kind, 'manifests');
    store = createSqlManifestStore(database.executor);
  });
  afterAll(async () => database.close());

  it('returns nothing before anything is saved', async () => {
    expect(await store.get(URL)).toBeUndefined();
    expect(await store.get(URL, C1)).toBeUndefined();
  });

  it('reads back exactly what was saved, in order, odd paths and secrets included', async () => {
    const saved = manifest(
      C1,
      [
        file('src/z.ts'),
        file('a "quoted" \\ path,{x}\nwith newline.ts', { rank: 1.25 }),
        file('"caf\\351.txt"', {
          included: false,
          reason: 'unreadable',
          rule: 'file name is not valid UTF-8',
          language: null,
          tokens: null,
          contentHash: null,
          rank: null,
          bytes: 0,
        }),
        file('.env', {
          included: false,
          reason: 'secret',
          rule: 'secretlint dotenv-secret (line 1)',
          category: 'config',
          language: 'Dotenv',
          contentHash: null,
          tokens: null,
          rank: null,
          bytes: 5_000_000_000,
        }),
        file('dist/', {
          included: false,
          reason: 'gitignore',
          rule: '.gitignore:1 dist/',
          language: null,
          category: 'other',
          tokens: null,
          contentHash: null,
          rank: null,
          bytes: 0,
        }),
      ],
      {
        secrets: [{ path: '.env', line: 1, type: 'dotenv-secret' }],
        budget: 1000,
        partial: true,
        coveragePercent: 42.5,
      },
    );
    await store.save(saved);
    expect(await store.get(URL, C1)).toEqual(saved);
    expect(await store.get(URL)).toEqual(saved);
  });

  it('replaces the manifest of the same commit whole, never merging old and new files', async () => {
    const replacement = manifest(C1, [file('only.ts')]);
    await store.save(replacement);
    await store.save(replacement);
    expect(await store.get(URL, C1)).toEqual(replacement);
  });

  it('gives the newest saved manifest when no commit is named, and still each by commit', async () => {
    const second = manifest(C2, [file('second.ts')]);
    await store.save(second);
    expect((await store.get(URL))?.commit).toBe(C2);
    expect((await store.get(URL, C1))?.files.map((f) => f.path)).toEqual(['only.ts']);
    expect(await store.get('https://example.com/other.git')).toBeUndefined();
  });

  it('stores 20,000 files in a few statements and reads them back in order', async () => {
    const many = Array.from({ length: 20_000 }, (_, index) =>
      file(`src/dir${index % 50}/file-${index}.ts`, { rank: index }),
    );
    const big = manifest(C2, many);
    let statements = 0;
    const counting = createSqlManifestStore({
      query: (text, params) => {
        statements += 1;
        return database.executor.query(text, params);
      },
      exec: (script) => database.executor.exec(script),
      transaction: (fn) =>
        database.executor.transaction((tx) =>
          fn({
            query: (text, params) => {
              statements += 1;
              return tx.query(text, params);
            },
            exec: (script) => tx.exec(script),
            transaction: (inner) => tx.transaction(inner),
          }),
        ),
    });
    await counting.save(big);
    expect(statements).toBeLessThanOrEqual(10);
    const read = await store.get(URL, C2);
    expect(read?.files).toHaveLength(20_000);
    expect(read?.files[12_345]).toEqual(many[12_345]);
  });
});
