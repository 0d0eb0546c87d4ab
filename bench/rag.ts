/**
 * bench/rag: the RAG index at scale on the local PostgreSQL, in a fresh schema dropped after.
 * Real code as corpus: the packages in node_modules become repositories, their .js/.ts files cut
 * into 20-line windows, until BENCH_CHUNKS (default 100,000) chunks. It measures
 *  1. lexical load time (read, chunk, tokenise, write postings, switch), via the real loader;
 *  2. hybrid load time (embed every chunk with the local hashed-token embedding server, store
 *     vectors, build the HNSW index) as a second commit of the same files;
 *  3. search latency p50/p95 over BENCH_QUERIES (default 200) queries made from identifiers of
 *     the corpus: lexical top-10, hybrid top-10 (query vector given), and hybrid end to end
 *     (including the embedding request);
 *  4. agreement of the impact-ordered unscoped search (DEFAULT_TERM_DEPTH postings per term) with
 *     the exhaustive ranking (every posting read) on the same queries: top-10 overlap, and how
 *     many queries get exactly the same top 10 (and top 50, the depth hybrid fuses).
 *
 *   npm run bench:rag
 *   npm run bench:rag -- --chunks 20000          # or BENCH_CHUNKS=20000
 *   npm run bench:rag -- --keep                  # or BENCH_KEEP=1: keep the schema (printed)
 *   npm run bench:rag -- --reuse t_bench_rag_…   # search a kept schema again, no load (same --chunks)
 *   npm run bench:rag -- --depth 200 --candidates 400   # unscoped search knobs (DEFAULT_TERM_DEPTH, DEFAULT_CANDIDATES)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createOpenAiEmbedder } from '../src/adapters/embedder-openai/index.js';
import { createSqlChunkIndex } from '../src/adapters/sql/index.js';
import { DEFAULT_CANDIDATES, DEFAULT_TERM_DEPTH } from '../src/adapters/sql/chunk-index.js';
import { openPostgresDatabase } from '../src/adapters/store-postgres/index.js';
import type { Chunk } from '../src/ports/chunk.js';
import type { ChunkIndex, SearchResult } from '../src/ports/chunk-index.js';
import type { FileDecision } from '../src/ports/manifest-store.js';
import { loadRepository, type FileChunker } from '../src/services/rag/rag-loader.js';
import { searchIndex } from '../src/services/rag/search-service.js';
import { startEmbeddingServer } from '../test/support/embedding-server.js';
import { createTestSchema, databaseUrl, EXTENSION_SCHEMA, withSearchPath } from '../test/support/postgres.js';
import { summarize } from './support/stats.js';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : (process.argv[index + 1] ?? '');
}
const TARGET_CHUNKS = Number(flag('chunks') ?? process.env['BENCH_CHUNKS'] ?? 100_000);
const QUERIES = Number(flag('queries') ?? process.env['BENCH_QUERIES'] ?? 200);
const REUSE = flag('reuse');
const DEPTH = Number(flag('depth') ?? DEFAULT_TERM_DEPTH);
const CANDIDATES = Number(flag('candidates') ?? DEFAULT_CANDIDATES);
const KEEP = process.argv.includes('--keep') || process.env['BENCH_KEEP'] === '1' || REUSE !== undefined;
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

const key = (r: SearchResult): string => `${r.repository_url}\u0000${r.path}\u0000${r.start_line}`;

interface Agreement {
  readonly queries: number;
  /** Mean share of the exhaustive top 10 that the fast search also returns. */
  readonly overlap10: number;
  readonly same10: number;
  readonly same50: number;
}

/** The fast unscoped ranking against the exhaustive one, on the unscoped queries. */
async function agreement(
  fast: ChunkIndex,
  exact: ChunkIndex,
  asked: readonly { text: string; repo?: string }[],
): Promise<Agreement> {
  let overlap = 0;
  let same10 = 0;
  let same50 = 0;
  let queries = 0;
  for (const query of asked) {
    if (query.repo !== undefined) continue; // scoped searches read every posting: exact by construction
    queries += 1;
    const [a, b] = await Promise.all([
      fast.search({ query: query.text, k: 50 }),
      exact.search({ query: query.text, k: 50 }),
    ]);
    const fastKeys = a.results.map(key);
    const exactKeys = b.results.map(key);
    const top = new Set(fastKeys.slice(0, 10));
    const wanted = exactKeys.slice(0, 10);
    overlap += wanted.length === 0 ? 1 : wanted.filter((k) => top.has(k)).length / wanted.length;
    if (fastKeys.slice(0, 10).join('\n') === wanted.join('\n')) same10 += 1;
    if (fastKeys.join('\n') === exactKeys.join('\n')) same50 += 1;
  }
  return { queries, overlap10: queries === 0 ? 1 : overlap / queries, same10, same50 };
}

async function main(): Promise<void> {
  const repositories = corpus();
  const expected = repositories.reduce((acc, r) => acc + r.chunks, 0);
  log(
    `corpus: ${repositories.length} packages, ${repositories.reduce((a, r) => a + r.files.length, 0)} files, ~${expected} chunks`,
  );
  const schema =
    REUSE === undefined
      ? await createTestSchema('bench_rag')
      : { schema: REUSE, url: withSearchPath(databaseUrl(), [REUSE, EXTENSION_SCHEMA]), drop: async () => {} };
  if (!/^[a-z0-9_]+$/.test(schema.schema)) throw new Error(`not a bench schema: ${schema.schema}`);
  const database = openPostgresDatabase({ connectionString: databaseUrl(), schema: schema.schema, poolSize: 4 });
  const server = await startEmbeddingServer({ dimensions: DIMENSIONS });
  try {
    await database.migrate();
    const index = createSqlChunkIndex(database.executor, { termDepth: DEPTH, candidates: CANDIDATES });
    const signal = new AbortController().signal;

    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'bench-hash-64', batchSize: 256 });
    // Index-only scans need the visibility map: a load is followed by VACUUM, as autovacuum would.
    const settle = (): Promise<unknown> =>
      database.executor.query(
        'VACUUM ANALYZE rag_postings, rag_term_df, rag_chunks, rag_files, rag_generation_files, rag_generations, rag_repositories',
      );

    let started = performance.now();
    let chunks = 0;
    for (const repository of REUSE === undefined ? repositories : []) {
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
    const lexicalLoadMs = REUSE === undefined ? performance.now() - started : Number.NaN;
    log(`lexical load: ${chunks} chunks in ${(lexicalLoadMs / 1000).toFixed(1)} s`);
    await settle();

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

    started = performance.now();
    for (const repository of REUSE === undefined ? repositories : []) {
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
    const hybridLoadMs = REUSE === undefined ? performance.now() - started : Number.NaN;
    log(
      `hybrid load (embed + vectors + HNSW): ${(hybridLoadMs / 1000).toFixed(1)} s, ${embedder.usage().requests} embedding requests`,
    );
    if (REUSE === undefined) await settle();

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
    if (REUSE !== undefined) {
      const stored = await database.executor.query<{ n: number }>(
        'SELECT coalesce(sum(g.chunk_count), 0)::int AS n FROM rag_repositories r JOIN rag_generations g ON g.id = r.generation_id',
      );
      chunks = stored[0]?.n ?? 0;
    }
    log('agreement with the exhaustive ranking…');
    const exact = createSqlChunkIndex(database.executor, { termDepth: null });
    const agreed = await agreement(index, exact, asked);
    process.stdout.write(
      [
        `chunks indexed:           ${chunks} (${repositories.length} repositories), postings ${postings[0]?.n ?? 0}`,
        `lexical load:             ${(lexicalLoadMs / 1000).toFixed(1)} s (${Math.round(chunks / (lexicalLoadMs / 1000))} chunks/s)`,
        `hybrid load (2nd commit): ${(hybridLoadMs / 1000).toFixed(1)} s (embedding ${DIMENSIONS} dims + vectors + HNSW)`,
        `lexical top-10:           ${fmt(lexical)} over ${asked.length} queries (${empty} without results)`,
        `hybrid top-10:            ${fmt(hybrid)} (query vector given)`,
        `hybrid end to end:        ${fmt(endToEnd)} (with the embedding request)`,
        `agreement (unscoped):      top-10 overlap ${(agreed.overlap10 * 100).toFixed(1)}%, same top 10 in ${agreed.same10}/${agreed.queries}, same top 50 in ${agreed.same50}/${agreed.queries} (depth ${DEPTH} postings/term, ${CANDIDATES} candidates, vs all)`,
        `sizes:                    ${sizes.map((s) => `${s.name} ${s.size}`).join(', ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.close();
    await database.close();
    if (KEEP) log(`kept schema ${schema.schema} (again: --reuse ${schema.schema}; drop it yourself)`);
    else await schema.drop();
  }
}

await main();
