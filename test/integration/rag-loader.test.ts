/**
 * RAG loading end to end on real files, a real database and a real (local) embedding server:
 * only changed files are re-chunked and re-embedded, the embedding cache is shared across
 * repositories, and search goes hybrid with an embedder and lexical without.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiEmbedder } from '../../src/adapters/embedder-openai/index.js';
import { createSqlChunkIndex, type SqlDatabase } from '../../src/adapters/sql/index.js';
import { registerSearchCommand } from '../../src/cli/commands/search.js';
import type { CliDeps } from '../../src/cli/deps.js';
import type { Config } from '../../src/config/schema.js';
import type { Chunk } from '../../src/ports/chunk.js';
import type { ChunkIndex } from '../../src/ports/chunk-index.js';
import type { FileDecision } from '../../src/ports/manifest-store.js';
import { loadRepository, type FileChunker } from '../../src/services/rag/rag-loader.js';
import { searchIndex } from '../../src/services/rag/search-service.js';
import { startEmbeddingServer, type EmbeddingServer } from '../support/embedding-server.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../support/sql-database.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Until the tree-sitter chunker lands: windows of 3 lines. Records what it chunked. */
function windowChunker(log: string[]): FileChunker {
  return {
    chunkFile: ({ path, language, content }) => {
      log.push(path);
      const lines = content.split('\n');
      const chunks: Chunk[] = [];
      for (let i = 0; i < lines.length; i += 3) {
        const text = lines.slice(i, i + 3).join('\n');
        chunks.push({
          path,
          startLine: i + 1,
          endLine: Math.min(i + 3, lines.length),
          language,
          symbol: null,
          kind: 'window',
          content: text,
          contentHash: sha(text),
          tokens: text.split(/\s+/).length,
        });
      }
      return chunks;
    },
  };
}

function decision(path: string, content: string, included = true): FileDecision {
  return {
    path,
    included,
    reason: included ? 'included' : 'generated',
    rule: 'test',
    language: 'TypeScript',
    category: 'source',
    vendored: false,
    generated: !included,
    bytes: content.length,
    tokens: 1,
    contentHash: sha(content),
    rank: 1,
  };
}

async function checkout(root: string, files: Record<string, string>): Promise<FileDecision[]> {
  await rm(root, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return Object.entries(files).map(([path, content]) => decision(path, content));
}

const FILES = {
  'src/retry.ts': 'export function retryWithBackoff(task) {\n  let delay = 100;\n  return task(delay);\n}\n',
  'src/parse.ts': 'export function parseManifest(text) {\n  return JSON.parse(text);\n}\n',
  'README.md': '# demo\n\nRetries with backoff and parses manifests.\n',
};

describe.each(TEST_DATABASE_KINDS)('RAG loader on %s', (kind) => {
  let database: SqlDatabase;
  let index: ChunkIndex;
  let server: EmbeddingServer;
  let work: string;
  const model = `hash-${kind}-${Date.now()}`;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'rag_loader');
    index = createSqlChunkIndex(database.executor);
    server = await startEmbeddingServer({ dimensions: 32 });
    work = await mkdtemp(join(tmpdir(), 'repolens-rag-loader-'));
  });
  afterAll(async () => {
    await server.close();
    await database.close();
    await rm(work, { recursive: true, force: true });
  });

  it('re-chunks and re-embeds only the changed file, and shares the embedding cache across repositories', async () => {
    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model, batchSize: 4 });
    const url = `https://git.example/${kind}/one`;
    const root = join(work, 'one');
    const chunked: string[] = [];
    const progress: [number, number][] = [];
    const manifest = await checkout(root, FILES);
    manifest.push(decision('dist/out.js', 'never read', false));

    const first = await loadRepository({
      repositoryUrl: url,
      commit: 'c1',
      root,
      files: manifest,
      chunker: windowChunker(chunked),
      index,
      embedder,
      signal,
      onProgress: (written, total) => progress.push([written, total]),
    });
    expect(first).toMatchObject({ filesChunked: 3, filesReused: 0, filesSkipped: 0, mode: 'hybrid' });
    expect(first.chunks).toBe(6);
    // Two windows are empty lines with the same hash: six chunks, five texts embedded.
    expect(first).toMatchObject({ embedded: 6, embeddingsReused: 0 });
    expect(server.embeddedTexts()).toHaveLength(5);
    expect(first.usage.requests).toBe(server.requests.length);
    expect(progress.at(-1)).toEqual([progress.at(-1)?.[1], progress.at(-1)?.[1]]);
    expect(chunked.sort()).toEqual(['README.md', 'src/parse.ts', 'src/retry.ts']);

    // Change one file: one line of it, so one of its two windows is new.
    server.requests.length = 0;
    chunked.length = 0;
    const changed = await checkout(root, {
      ...FILES,
      'src/retry.ts': FILES['src/retry.ts'].replace('return task(delay);', 'return task(delay * 2);'),
    });
    const second = await loadRepository({
      repositoryUrl: url,
      commit: 'c2',
      root,
      files: changed,
      chunker: windowChunker(chunked),
      index,
      embedder,
      signal,
    });
    expect(chunked).toEqual(['src/retry.ts']);
    expect(second).toMatchObject({ filesChunked: 1, filesReused: 2, embedded: 1, embeddingsReused: 1, chunks: 6 });
    expect(server.embeddedTexts()).toEqual([
      'export function retryWithBackoff(task) {\n  let delay = 100;\n  return task(delay * 2);',
    ]);
    expect(await index.stats(url)).toMatchObject({ commit: 'c2', files: 3, chunks: 6, embeddedChunks: 6 });

    // Another repository with the same files: every vector comes from the cache.
    server.requests.length = 0;
    const otherRoot = join(work, 'two');
    const third = await loadRepository({
      repositoryUrl: `https://git.example/${kind}/two`,
      commit: 'c1',
      root: otherRoot,
      files: await checkout(otherRoot, FILES),
      chunker: windowChunker([]),
      index,
      embedder,
      signal,
    });
    expect(third).toMatchObject({ filesChunked: 3, embedded: 0, embeddingsReused: 6, usage: { requests: 0 } });
    expect(server.requests).toHaveLength(0);

    const hybrid = await searchIndex({ index, embedder, query: 'retryWithBackoff delay', repositoryUrl: url, k: 3 });
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid.results[0]).toMatchObject({ path: 'src/retry.ts', commit: 'c2', repository_url: url });
  });

  it('loads lexically without an embedder, and search falls back to lexical when the embedder fails', async () => {
    const url = `https://git.example/${kind}/lexical`;
    const root = join(work, 'lexical');
    const result = await loadRepository({
      repositoryUrl: url,
      commit: 'c1',
      root,
      files: await checkout(root, FILES),
      chunker: windowChunker([]),
      index,
      signal,
    });
    expect(result).toMatchObject({ mode: 'lexical', embedded: 0, chunks: 6 });
    const lexical = await searchIndex({ index, query: 'parseManifest', repositoryUrl: url, k: 2 });
    expect(lexical.mode).toBe('lexical');
    expect(lexical.results[0]).toMatchObject({ path: 'src/parse.ts', start_line: 1, end_line: 3, commit: 'c1' });

    const failures: unknown[] = [];
    server.failNext({ status: 401 });
    const broken = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model, maxRetries: 0 });
    const fallback = await searchIndex({
      index,
      embedder: broken,
      query: 'parse_manifest',
      repositoryUrl: url,
      k: 2,
      onFallback: (error) => failures.push(error),
    });
    expect(fallback.mode).toBe('lexical');
    expect(fallback.results[0]?.path).toBe('src/parse.ts');
    expect(failures).toHaveLength(1);
  });

  it('repolens search prints the exact JSON shape, and says when search is lexical only', async () => {
    const url = `https://git.example/${kind}/lexical`;
    const run = async (...args: string[]): Promise<string> => {
      let out = '';
      const deps = {
        io: { out: (t: string) => (out += t), err: () => undefined },
        resolveConfig: () => ({}) as Config,
      };
      const program = new Command('repolens').exitOverride();
      let closed = false;
      registerSearchCommand(program, deps as unknown as CliDeps, async () => ({
        index,
        close: async () => {
          closed = true;
        },
      }));
      await program.parseAsync(['search', ...args], { from: 'user' });
      expect(closed).toBe(true);
      return out;
    };
    const json = JSON.parse(await run('parseManifest', '--repo', url, '--k', '2', '--json')) as {
      mode: string;
      results: Record<string, unknown>[];
    };
    expect(json.mode).toBe('lexical');
    expect(Object.keys(json.results[0] ?? {})).toEqual([
      'repository_url',
      'commit',
      'path',
      'start_line',
      'end_line',
      'symbol',
      'score',
      'snippet',
    ]);
    expect(json.results[0]).toMatchObject({ repository_url: url, path: 'src/parse.ts' });
    const plain = await run('parse_manifest', '--repo', url);
    expect(plain).toMatch(/^lexical search only/);
    expect(plain).toContain('src/parse.ts:1-3');
    await expect(run('x', '--k', '500')).rejects.toThrow(/--k must be at most 100/);
  });

  it('refuses a manifest path that leaves the checkout and skips files that vanished', async () => {
    const root = join(work, 'hostile');
    const files = await checkout(root, { 'a.ts': 'const a = 1;\n' });
    await writeFile(join(work, 'secret.txt'), 'outside');
    const load = (extra: FileDecision) =>
      loadRepository({
        repositoryUrl: `https://git.example/${kind}/hostile`,
        commit: 'c1',
        root,
        files: [...files, extra],
        chunker: windowChunker([]),
        index,
        signal,
      });
    await expect(load(decision('../secret.txt', 'outside'))).rejects.toMatchObject({
      code: 'REPOLENS_RAG_PATH_OUTSIDE_CHECKOUT',
    });
    await expect(load(decision('gone.ts', 'x'))).resolves.toMatchObject({ filesChunked: 1, filesSkipped: 1 });
  });
});
