/**
 * bench/rag: the RAG index at scale on the local PostgreSQL, in a fresh schema dropped after.
 * Real code as corpus: the packages in node_modules become repositories, their .js/.ts files cut
 * into 20-line windows, until BENCH_CHUNKS (default 100,000) chunks. It measures
 *  1. lexical load time (read, chunk, tokenise, write postings, switch), via the real loader;
 *  2. hybrid load time (embed every chunk with the local hashed-token embedding server, store
 *     vectors, build the HNSW index) as a second commit of the same files;
 *  3. search latency p50/p95 over BENCH_QUERIES (default 200) queries made from identifiers of
 *     the corpus: lexical top-10, hybrid top-10 (query vector given), and hybrid end to end
 *     (including the embedding request).
 *
 *   npm run bench:rag
 *   BENCH_CHUNKS=20000 npm run bench:rag
 *   BENCH_KEEP=1 npm run bench:rag        # keep the schema for EXPLAIN (printed; drop it yourself)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createOpenAiEmbedder } from '../src/adapters/embedder-openai/index.js';
import { createSqlChunkIndex } from '../src/adapters/sql/index.js';
import { openPostgresDatabase } from '../src/adapters/store-postgres/index.js';
import type { Chunk } from '../src/ports/chunk.js';
import type { FileDecision } from '../src/ports/manifest-store.js';
import { loadRepository, type FileChunker } from '../src/services/rag/rag-loader.js';
import { searchIndex } from '../src/services/rag/search-service.js';
import { startEmbeddingServer } from '../test/support/embedding-server.js';
import { createTestSchema, databaseUrl } from '../test/support/postgres.js';
import { summarize } from './support/stats.js';

const TARGET_CHUNKS = Number(process.env['BENCH_CHUNKS'] ?? 100_000);
const QUERIES = Number(process.env['BENCH_QUERIES'] ?? 200);
const WINDOW = 20;
const DIMENSIONS = 64;
const log = (message: string): void => void process.stderr.write(`[bench:rag] ${message}\n`);
const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const chunker: FileChunker = {
  chunkFile: ({ path, language, content }) => {
    const lines = content.split('\n');
    const chunks: Chunk[] = [];
    for (let i = 0; i < lines.length; i += WINDOW) {
      const text = lines.slice(i, i + WINDOW).join('\n');
      const symbol = /function\s+([A-Za-z_$][\w$]*)/.exec(text)?.[1] ?? null;
      chunks.push({
        path,
        startLine: i + 1,
        endLine: Math.min(i + WINDOW, lines.length),
        language,
        symbol,
        kind: 'window',
        content: text,
        contentHash: sha(text),
        tokens: Math.ceil(text.length / 4),
      });
    }
    return chunks;
  },
};

interface Repository {
  readonly url: string;
  readonly root: string;
  readonly files: FileDecision[];
  readonly chunks: number;
}

function sourceFiles(dir: string, found: string[], depth = 0): void {
  if (depth > 8) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') sourceFiles(full, found, depth + 1);
    else if (entry.isFile() && /\.(js|mjs|cjs|ts)$/.test(entry.name) && !entry.name.endsWith('.min.js'))
      found.push(full);
  }
}

function corpus(): Repository[] {
  const base = join(process.cwd(), 'node_modules');
  const packages = readdirSync(base).flatMap((name) =>
    name.startsWith('@') ? readdirSync(join(base, name)).map((inner) => join(name, inner)) : [name],
  );
  const repositories: Repository[] = [];
  let total = 0;
  for (const name of packages.sort()) {
    if (total >= TARGET_CHUNKS) break;
    const root = join(base, name);
    if (!statSync(root).isDirectory()) continue;
    const paths: string[] = [];
    sourceFiles(root, paths);
    const files: FileDecision[] = [];
    let chunks = 0;
    for (const full of paths) {
      const content = readFileSync(full);
      if (content.length > 512 * 1024) continue;
      const lineCount = content.toString('utf8').split('\n').length;
      chunks += Math.ceil(lineCount / WINDOW);
      files.push({
        path: relative(root, full).split('\\').join('/'),
        included: true,
        reason: 'included',
        rule: 'bench',
        language: 'JavaScript',
        category: 'source',
        vendored: false,
        generated: false,
        bytes: content.length,
        tokens: null,
        contentHash: sha(content),
        rank: 1,
      });
    }
    if (files.length === 0) continue;
    repositories.push({ url: `https://bench.example/npm/${name}`, root, files, chunks });
    total += chunks;
  }
  return repositories;
}

/** Deterministic PRNG (mulberry32) so every run asks the same queries. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function queries(repositories: readonly Repository[], count: number): { text: string; repo?: string }[] {
  const next = random(42);
  const result: { text: string; repo?: string }[] = [];
  while (result.length < count) {
    const repository = repositories[Math.floor(next() * repositories.length)];
    const file = repository?.files[Math.floor(next() * repository.files.length)];
    if (repository === undefined || file === undefined) continue;
    const identifiers =
      readFileSync(join(repository.root, file.path), 'utf8').match(/\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]{2,}\b/g) ?? [];
    if (identifiers.length === 0) continue;
    const words = Array.from(
      { length: 1 + Math.floor(next() * 3) },
      () => identifiers[Math.floor(next() * identifiers.length)],
    );
    // A quarter of the queries are scoped to one repository, as `repolens search --repo` is.
    result.push({ text: words.join(' '), ...(next() < 0.25 ? { repo: repository.url } : {}) });
  }
  return result;
}

async function main(): Promise<void> {
  const repositories = corpus();
  const expected = repositories.reduce((acc, r) => acc + r.chunks, 0);
  log(
    `corpus: ${repositories.length} packages, ${repositories.reduce((a, r) => a + r.files.length, 0)} files, ~${expected} chunks`,
  );
  const schema = await createTestSchema('bench_rag');
  const database = openPostgresDatabase({ connectionString: databaseUrl(), schema: schema.schema, poolSize: 4 });
  const server = await startEmbeddingServer({ dimensions: DIMENSIONS });
  try {
    await database.migrate();
    const index = createSqlChunkIndex(database.executor);
    const signal = new AbortController().signal;

    let started = performance.now();
    let chunks = 0;
    for (const repository of repositories) {
      const result = await loadRepository({
        repositoryUrl: repository.url,
        commit: 'c1',
        root: repository.root,
        files: repository.files,
        chunker,
        index,
        signal,
      });
      chunks += result.chunks;
    }
    const lexicalLoadMs = performance.now() - started;
    log(`lexical load: ${chunks} chunks in ${(lexicalLoadMs / 1000).toFixed(1)} s`);
    await database.executor.query('ANALYZE');

    const asked = queries(repositories, QUERIES);
    const lexical: number[] = [];
    let empty = 0;
    for (const query of asked) {
      const t0 = performance.now();
      const response = await index.search({
        query: query.text,
        k: 10,
        ...(query.repo === undefined ? {} : { repositoryUrl: query.repo }),
      });
      lexical.push(performance.now() - t0);
      if (response.results.length === 0) empty += 1;
    }

    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'bench-hash-64', batchSize: 256 });
    started = performance.now();
    for (const repository of repositories) {
      await loadRepository({
        repositoryUrl: repository.url,
        commit: 'c2',
        root: repository.root,
        files: repository.files,
        chunker,
        index,
        embedder,
        signal,
      });
    }
    const hybridLoadMs = performance.now() - started;
    log(
      `hybrid load (embed + vectors + HNSW): ${(hybridLoadMs / 1000).toFixed(1)} s, ${embedder.usage().requests} embedding requests`,
    );
    await database.executor.query('ANALYZE');

    const vectors = await embedder.embed(asked.map((q) => q.text));
    const hybrid: number[] = [];
    const endToEnd: number[] = [];
    for (const [i, query] of asked.entries()) {
      const scope = query.repo === undefined ? {} : { repositoryUrl: query.repo };
      let t0 = performance.now();
      const response = await index.search({
        query: query.text,
        k: 10,
        ...scope,
        embedding: { model: embedder.model, vector: vectors[i] ?? [] },
      });
      hybrid.push(performance.now() - t0);
      if (response.mode !== 'hybrid') throw new Error('expected a hybrid search');
      t0 = performance.now();
      await searchIndex({ index, embedder, query: query.text, k: 10, ...scope });
      endToEnd.push(performance.now() - t0);
    }

    const fmt = (samples: number[]): string => {
      const s = summarize(samples);
      return `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
    };
    const sizes = await database.executor.query<{ name: string; size: string }>(
      `SELECT c.relname AS name, pg_size_pretty(pg_total_relation_size(c.oid)) AS size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE 'rag_%' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 4`,
      [schema.schema],
    );
    const postings = await database.executor.query<{ n: number }>('SELECT count(*)::int AS n FROM rag_postings');
    process.stdout.write(
      [
        `chunks indexed:           ${chunks} (${repositories.length} repositories), postings ${postings[0]?.n ?? 0}`,
        `lexical load:             ${(lexicalLoadMs / 1000).toFixed(1)} s (${Math.round(chunks / (lexicalLoadMs / 1000))} chunks/s)`,
        `hybrid load (2nd commit): ${(hybridLoadMs / 1000).toFixed(1)} s (embedding ${DIMENSIONS} dims + vectors + HNSW)`,
        `lexical top-10:           ${fmt(lexical)} over ${asked.length} queries (${empty} without results)`,
        `hybrid top-10:            ${fmt(hybrid)} (query vector given)`,
        `hybrid end to end:        ${fmt(endToEnd)} (with the embedding request)`,
        `sizes:                    ${sizes.map((s) => `${s.name} ${s.size}`).join(', ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.close();
    await database.close();
    if (process.env['BENCH_KEEP'] === '1') log(`kept schema ${schema.schema}`);
    else await schema.drop();
  }
}

await main();
