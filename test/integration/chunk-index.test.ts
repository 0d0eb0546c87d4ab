/**
 * The SQL chunk index on PGlite and on the real PostgreSQL: BM25 ranking with code-aware tokens
 * and field weights, repository filter, hybrid RRF, and the atomic switch between generations.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSqlChunkIndex, type SqlDatabase } from '../../src/adapters/sql/index.js';
import { isRepolensError } from '../../src/domain/errors.js';
import type { Chunk } from '../../src/ports/chunk.js';
import type { ChunkedFile, ChunkIndex } from '../../src/ports/chunk-index.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../support/sql-database.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function chunk(path: string, content: string, symbol: string | null = null, startLine = 1): Chunk {
  const lines = content.split('\n').length;
  return {
    path,
    startLine,
    endLine: startLine + lines - 1,
    language: 'TypeScript',
    symbol,
    kind: symbol === null ? 'window' : 'function',
    content,
    contentHash: sha(content),
    tokens: content.length,
  };
}

function file(path: string, ...chunks: Chunk[]): ChunkedFile {
  return { path, contentHash: sha(chunks.map((c) => c.content).join('\n')), chunks };
}

const filler = (i: number): string => `const value${i % 7} = loadConfig(options);\nreturn value${i % 7};`;

describe.each(TEST_DATABASE_KINDS)('chunk index on %s', (kind) => {
  let database: SqlDatabase;
  let index: ChunkIndex;
  const repo = (name: string): string => `https://git.example/${kind}/${name}`;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'chunk_index');
    index = createSqlChunkIndex(database.executor, { publishBatchChunks: 4 });
  });
  afterAll(async () => {
    await database.close();
  });

  it('ranks a chunk with the query’s rare term above chunks with only common terms', async () => {
    const url = repo('bm25');
    const files = Array.from({ length: 12 }, (_, i) =>
      file(`src/common${i}.ts`, chunk(`src/common${i}.ts`, filler(i))),
    );
    files.push(
      file('src/heavy.ts', chunk('src/heavy.ts', 'loadConfig(a); loadConfig(b); loadConfig(c); // config config')),
    );
    files.push(file('src/rare.ts', chunk('src/rare.ts', 'const zephyr = loadConfig(options);')));
    await index.publish({ repositoryUrl: url, commit: 'c1', files, reuse: [] });

    const { mode, results } = await index.search({ query: 'loadConfig zephyr', repositoryUrl: url, k: 5 });
    expect(mode).toBe('lexical');
    expect(results[0]?.path).toBe('src/rare.ts');
    expect(results[1]?.path).toBe('src/heavy.ts'); // term-frequency (saturated) still counts among the rest
    expect(results[0]?.score).toBeGreaterThan(results[1]?.score ?? Infinity);
    expect(results[0]).toMatchObject({ repository_url: url, commit: 'c1', start_line: 1, end_line: 1, symbol: null });
    expect(results[0]?.snippet).toContain('zephyr');
  });

  it('finds snake_case identifiers from a camelCase query and vice versa', async () => {
    const url = repo('case');
    await index.publish({
      repositoryUrl: url,
      commit: 'c1',
      files: [
        file('lib/a.py', chunk('lib/a.py', 'def parse_config_file(path):\n    return open(path)')),
        file('lib/b.ts', chunk('lib/b.ts', 'export function readManifestEntry(entry) {}')),
        file('lib/c.ts', chunk('lib/c.ts', 'parse the file, then config it; read an entry from the manifest')),
        file('lib/d.ts', chunk('lib/d.ts', 'const parser = new Parser(); // files and configs')),
      ],
      reuse: [],
    });
    const camel = await index.search({ query: 'parseConfigFile', repositoryUrl: url, k: 3 });
    expect(camel.results[0]?.path).toBe('lib/a.py');
    const snake = await index.search({ query: 'read_manifest_entry', repositoryUrl: url, k: 3 });
    expect(snake.results[0]?.path).toBe('lib/b.ts');
    const kebab = await index.search({ query: 'read-manifest-entry', repositoryUrl: url, k: 3 });
    expect(kebab.results[0]?.path).toBe('lib/b.ts');
  });

  it('weights a term in the path or the symbol above the same term in the body', async () => {
    const url = repo('fields');
    const body = 'the delay doubles after each failed attempt; backoff here';
    await index.publish({
      repositoryUrl: url,
      commit: 'c1',
      files: [
        file('src/misc/util.ts', chunk('src/misc/util.ts', body)),
        file('src/retry/backoff.ts', chunk('src/retry/backoff.ts', body.replace('here', 'there'))),
        file('src/misc/other.ts', chunk('src/misc/other.ts', 'function computeBackoff() {} // backoff', null)),
        file(
          'src/misc/named.ts',
          chunk('src/misc/named.ts', 'function compute() {} // backoff', 'Retry > computeBackoff'),
        ),
      ],
      reuse: [],
    });
    const byPath = await index.search({ query: 'backoff', repositoryUrl: url, k: 4 });
    const paths = byPath.results.map((r) => r.path);
    expect(paths.indexOf('src/retry/backoff.ts')).toBeLessThan(paths.indexOf('src/misc/util.ts'));
    const bySymbol = await index.search({ query: 'computeBackoff', repositoryUrl: url, k: 4 });
    expect(bySymbol.results[0]?.path).toBe('src/misc/named.ts');
    expect(bySymbol.results[0]?.symbol).toBe('Retry > computeBackoff');
  });

  it('filters by repository, and searches all repositories without a filter', async () => {
    const [one, two] = [repo('filter-one'), repo('filter-two')];
    for (const url of [one, two]) {
      await index.publish({
        repositoryUrl: url,
        commit: 'c1',
        files: [file('src/x.ts', chunk('src/x.ts', 'quokkaMarker()'))],
        reuse: [],
      });
    }
    const filtered = await index.search({ query: 'quokka_marker', repositoryUrl: two, k: 10 });
    expect(filtered.results.map((r) => r.repository_url)).toEqual([two]);
    const all = await index.search({ query: 'quokka_marker', k: 10 });
    expect(all.results.map((r) => r.repository_url).sort()).toEqual([one, two].sort());
  });

  it('a search during a slow publish sees one whole commit, never a mix', async () => {
    const url = repo('atomic');
    const files = (tag: string): ChunkedFile[] =>
      Array.from({ length: 24 }, (_, i) => file(`src/f${i}.ts`, chunk(`src/f${i}.ts`, `walrusMarker ${tag} ${i}`)));
    await index.publish({ repositoryUrl: url, commit: 'alpha', files: files('alpha'), reuse: [] });

    const tagOf = async (): Promise<string> => {
      const { results } = await index.search({ query: 'walrus marker', repositoryUrl: url, k: 100 });
      expect(results).toHaveLength(24);
      const tags = new Set(results.map((r) => (r.snippet.includes('alpha') ? 'alpha' : 'beta')));
      expect(tags.size).toBe(1);
      const [tag = ''] = tags;
      expect(results.every((r) => r.commit === tag)).toBe(true);
      return tag;
    };
    // Searches started between two of the publish's batches (6 batches of 4 chunks) run while
    // the rest is written; a loop of searches alongside covers the other moments. Started from
    // the progress callback, the interleaving does not depend on the machine's speed.
    const midBuild: Promise<string>[] = [];
    const publishing = index.publish({
      repositoryUrl: url,
      commit: 'beta',
      files: files('beta'),
      reuse: [],
      onProgress: (written, total) => {
        if (written > 0 && written < total) {
          const search = tagOf();
          // Awaited below; marked handled now so a failure is reported there, not as unhandled.
          search.catch(() => undefined);
          midBuild.push(search);
        }
      },
    });
    let done = false;
    void publishing.then(() => (done = true)).catch(() => (done = true));
    const seen: string[] = [];
    while (!done) seen.push(await tagOf());
    await publishing;
    expect(midBuild.length).toBeGreaterThan(0);
    seen.push(...(await Promise.all(midBuild)));
    expect(seen).toContain('alpha');
    const after = await index.search({ query: 'walrus marker', repositoryUrl: url, k: 100 });
    expect(after.results.every((r) => r.commit === 'beta' && r.snippet.includes('beta'))).toBe(true);
    expect(await index.stats(url)).toMatchObject({ commit: 'beta', files: 24, chunks: 24, embeddedChunks: 0 });
  });

  it('reuses unchanged files and refuses a reuse list the current generation no longer has', async () => {
    const url = repo('reuse');
    const keep = file('src/keep.ts', chunk('src/keep.ts', 'ocelotKeep()'));
    const old = file('src/change.ts', chunk('src/change.ts', 'ocelotOld()'));
    await index.publish({ repositoryUrl: url, commit: 'c1', files: [keep, old], reuse: [] });
    expect((await index.currentFiles(url)).map((f) => f.path)).toEqual(['src/change.ts', 'src/keep.ts']);

    const changed = file('src/change.ts', chunk('src/change.ts', 'ocelotNew()'));
    const result = await index.publish({
      repositoryUrl: url,
      commit: 'c2',
      files: [changed],
      reuse: [{ path: keep.path, contentHash: keep.contentHash }],
    });
    expect(result).toMatchObject({ files: 2, chunks: 2 });
    const hits = await index.search({ query: 'ocelot', repositoryUrl: url, k: 10 });
    expect(hits.results.map((r) => r.snippet).sort()).toEqual(['ocelotKeep()', 'ocelotNew()']);

    const stale = index.publish({
      repositoryUrl: url,
      commit: 'c3',
      files: [],
      reuse: [{ path: old.path, contentHash: old.contentHash }],
    });
    await expect(stale).rejects.toMatchObject({ code: 'REPOLENS_RAG_CONFLICT', retryable: true });
    expect((await index.stats(url))?.commit).toBe('c2');
  });

  it('fuses lexical and vector results by RRF and says hybrid', async () => {
    const url = repo('hybrid');
    const model = `test-model-${kind}`;
    const files = [
      file('src/lex.ts', chunk('src/lex.ts', 'heronToken lexical only')),
      file('src/both.ts', chunk('src/both.ts', 'heronToken and near in vector space')),
      file('src/vec.ts', chunk('src/vec.ts', 'nothing lexical here')),
      file('src/far.ts', chunk('src/far.ts', 'far away')),
    ];
    const vectors: Record<string, number[]> = {
      'src/lex.ts': [0, 0, 1],
      'src/both.ts': [1, 0.05, 0],
      'src/vec.ts': [1, 0.1, 0],
      'src/far.ts': [-1, 0, 0],
    };
    await index.publish({
      repositoryUrl: url,
      commit: 'c1',
      files: files.map((f) => ({ ...f, embeddings: [vectors[f.path] ?? []] })),
      reuse: [],
      embeddingModel: model,
    });
    const response = await index.search({
      query: 'heron token',
      repositoryUrl: url,
      k: 3,
      embedding: { model, vector: [1, 0, 0] },
    });
    expect(response.mode).toBe('hybrid');
    // lex is 1st lexically (shorter) but 3rd by vector; both is 2nd lexically and 1st by vector;
    // vec is 2nd by vector only. Fusion ranks both above lex, and lex above vec.
    expect(response.results.map((r) => r.path)).toEqual(['src/both.ts', 'src/lex.ts', 'src/vec.ts']);
    expect(response.results.map((r) => r.score)).toEqual([1 / 61 + 1 / 62, 1 / 61 + 1 / 63, 1 / 62]);
    expect(await index.stats(url)).toMatchObject({ chunks: 4, embeddedChunks: 4 });
    expect(await index.currentFiles(url, { embeddingModel: model })).toHaveLength(4);
    expect(await index.currentFiles(url, { embeddingModel: 'other-model' })).toHaveLength(0);
  });

  it('rejects a bad k and stores hostile content as text', async () => {
    await expect(index.search({ query: 'x', k: 0 })).rejects.toSatisfy(isRepolensError);
    const url = repo('hostile');
    await index.publish({
      repositoryUrl: url,
      commit: 'c1',
      files: [
        file('src/"q\\uote{,}.ts', chunk('src/"q\\uote{,}.ts', 'nul\u0000byte "quoted" {braces} \\ back lynxToken')),
      ],
      reuse: [],
    });
    const { results } = await index.search({ query: 'lynxToken', repositoryUrl: url, k: 1 });
    expect(results[0]?.path).toBe('src/"q\\uote{,}.ts');
    expect(results[0]?.snippet).toContain('"quoted" {braces} \\ back');
  });
});

// Impact-ordered early termination (migration 0006): an unscoped search reads only the best
// postings of each term; these check it against the exhaustive ranking and check the document
// frequencies it keeps per generation (df from rag_term_df unscoped, counted when scoped).
describe.each(TEST_DATABASE_KINDS)('impact-ordered search on %s', (kind) => {
  let database: SqlDatabase;
  const repo = (name: string): string => `https://git.example/${kind}/impact/${name}`;
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'chunk_impact');
  });
  afterAll(async () => {
    await database.close();
  });

  it('ranks like the exhaustive search though common terms are cut after a few postings', async () => {
    // Depth 8 (at least 4·k = 8 for k = 2): `common` is in all 90 chunks, `parser` in 30, so both
    // are cut; chunk lengths and term frequencies vary so impacts differ.
    const fast = createSqlChunkIndex(database.executor, { termDepth: 8 });
    const exact = createSqlChunkIndex(database.executor, { termDepth: null });
    for (const r of ['one', 'two', 'three']) {
      const files = Array.from({ length: 30 }, (_, i) => {
        const path = `src/${r}/m${i}.ts`;
        const body = [
          `common ${'common '.repeat(i % 4)}`,
          i % 3 === 0 ? `parser ${'parser '.repeat(i % 5)}` : 'lexer',
          words.slice(0, 1 + (i % words.length)).join(' '),
          i === 17 ? 'rareWord' : '',
        ].join('\n');
        return file(path, chunk(path, body, i % 10 === 0 ? `parse${i}` : null));
      });
      await fast.publish({ repositoryUrl: repo(r), commit: 'c1', files, reuse: [] });
    }
    for (const query of ['common', 'common parser', 'parser theta', 'common rare_word', 'gamma delta common']) {
      const [a, b] = await Promise.all([fast.search({ query, k: 2 }), exact.search({ query, k: 2 })]);
      expect(b.results).toHaveLength(2);
      expect(a.results).toEqual(b.results);
    }
    const top = await fast.search({ query: 'common rareWord', k: 2 });
    expect(top.results[0]?.path).toBe('src/one/m17.ts'); // rareWord is in three chunks; m17 of `one` sorts first
  });

  it('keeps document frequencies through reuse and re-embedding: unscoped idf equals the scoped count', async () => {
    // A database of its own: with this repository alone, both scopes have the same N and
    // averages, so the scores agree only if rag_term_df's df equals the count.
    const own = await openTestDatabase(kind, 'chunk_df');
    onTestFinished(() => own.close());
    const index = createSqlChunkIndex(own.executor, { termDepth: null, publishBatchChunks: 3 });
    const url = repo('df');
    const make = (i: number, tag: string): ChunkedFile =>
      file(`lib/f${i}.ts`, chunk(`lib/f${i}.ts`, `okapiTerm ${tag} ${'okapi '.repeat(i % 3)}`));
    const first = Array.from({ length: 8 }, (_, i) => make(i, 'v1'));
    await index.publish({ repositoryUrl: url, commit: 'c1', files: first, reuse: [] });
    // c2: 5 files reused, 2 changed, 1 removed; c3: the same content again with vectors (the
    // loader sends files that lack the model's vectors again: existing versions).
    const second = [make(5, 'v2'), make(6, 'v2')];
    const reused = first.slice(0, 5).map((f) => ({ path: f.path, contentHash: f.contentHash }));
    await index.publish({ repositoryUrl: url, commit: 'c2', files: second, reuse: reused });
    const model = `df-model-${kind}`;
    await index.publish({
      repositoryUrl: url,
      commit: 'c3',
      files: [...first.slice(0, 5), ...second].map((f) => ({ ...f, embeddings: [[1, 0]] })),
      reuse: [],
      embeddingModel: model,
    });
    expect(await index.stats(url)).toMatchObject({ commit: 'c3', files: 7, chunks: 7, embeddedChunks: 7 });
    for (const query of ['okapi', 'okapi v2', 'okapiTerm v1']) {
      const scoped = await index.search({ query, repositoryUrl: url, k: 10 });
      expect(scoped.results.length).toBeGreaterThan(1);
      const unscoped = (await index.search({ query, k: 10 })).results;
      // Equal up to float summation order.
      expect(unscoped.map((r) => ({ ...r, score: r.score.toFixed(9) }))).toEqual(
        scoped.results.map((r) => ({ ...r, score: r.score.toFixed(9) })),
      );
    }
    const v2 = await index.search({ query: 'okapi v2', repositoryUrl: url, k: 10 });
    expect(
      v2.results
        .slice(0, 2)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['lib/f5.ts', 'lib/f6.ts']);
  });
});
