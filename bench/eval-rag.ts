/**
 * bench/eval-rag: retrieval quality of the RAG index on the committed evaluation corpus
 * (`test/fixtures/rag-corpus`, real code from npm packages and a few other languages, with
 * hand-checked queries in `queries.json`). It chunks the corpus with the real chunker, loads it
 * with the real loader into the chunk index, runs every query and prints, per search mode:
 *  - Recall@5 / Recall@10: the share of queries with a hit in the top 5 / 10, a hit being a
 *    result on an answer's path whose line range overlaps the answer's lines;
 *  - MRR@10: the mean of 1/rank of the first hit (0 when none in the top 10).
 * Lexical always; hybrid with an embedder: `--embedder-url` (OpenAI-compatible base URL, e.g.
 * `http://127.0.0.1:11434/v1`, with `--embedder-model`, API key from EMBEDDER_API_KEY), or by
 * default the local hashed-token test embedding server (a sanity baseline, not a real model).
 *
 *   npm run eval:rag
 *   npm run eval:rag -- --verbose                      # also list the queries without a hit
 *   npm run eval:rag -- --database-url postgres://postgres@127.0.0.1:5432/test
 *   npm run eval:rag -- --embedder-url http://127.0.0.1:11434/v1 --embedder-model nomic-embed-text
 *   npm run eval:rag -- --merge-tokens 200 --json      # chunker budget; machine-readable output
 *   npm run eval:rag -- --explain "fold long lines"    # lexical top 10 of one query, with the answers
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { createOpenAiEmbedder } from '../src/adapters/embedder-openai/index.js';
import { createSqlChunkIndex, type SqlDatabase } from '../src/adapters/sql/index.js';
import { openPgliteDatabase } from '../src/adapters/store-pglite/index.js';
import { openPostgresDatabase } from '../src/adapters/store-postgres/index.js';
import type { ChunkIndex, SearchResult } from '../src/ports/chunk-index.js';
import type { Embedder } from '../src/ports/embedder.js';
import type { FileDecision } from '../src/ports/manifest-store.js';
import { createChunker } from '../src/services/rag/chunking/index.js';
import { loadRepository } from '../src/services/rag/rag-loader.js';
import { searchIndex } from '../src/services/rag/search-service.js';
import { startEmbeddingServer, type EmbeddingServer } from '../test/support/embedding-server.js';
import { createTestSchema } from '../test/support/postgres.js';

const CORPUS = join(process.cwd(), 'test', 'fixtures', 'rag-corpus');
const REPOSITORY = 'https://example.invalid/repolens/rag-corpus.git';
const K = 10;
const TEST_EMBEDDING_DIMENSIONS = 256;

interface Answer {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
}
interface Query {
  readonly query: string;
  readonly answers: readonly Answer[];
}
interface ModeScore {
  readonly mode: string;
  readonly recallAt5: number;
  readonly recallAt10: number;
  readonly mrrAt10: number;
  readonly misses: readonly string[];
}

const log = (message: string): void => void process.stderr.write(`[eval:rag] ${message}\n`);

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'embedder-url': { type: 'string' },
    'embedder-model': { type: 'string' },
    'merge-tokens': { type: 'string' },
    explain: { type: 'string' },
    'no-hybrid': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

/** Every corpus file but the evaluation's own (queries, sources list), as included manifest entries. */
function corpusFiles(dir = CORPUS): FileDecision[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry): FileDecision[] => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return corpusFiles(full);
    const path = relative(CORPUS, full).split(sep).join('/');
    if (path === 'queries.json' || path === 'SOURCES.md') return [];
    const bytes = readFileSync(full);
    return [
      {
        path,
        included: true,
        reason: 'included',
        rule: 'eval corpus',
        // The chunker picks the grammar from the extension when the language is null.
        language: null,
        category: 'source',
        vendored: false,
        generated: false,
        bytes: bytes.length,
        tokens: null,
        contentHash: createHash('sha256').update(bytes).digest('hex'),
        rank: 1,
      },
    ];
  });
}

/** 1-based rank of the first result that hits an answer, or undefined within the top K. */
function firstHit(results: readonly SearchResult[], answers: readonly Answer[]): number | undefined {
  const index = results.findIndex((result) =>
    answers.some(
      (answer) =>
        result.path === answer.path && result.start_line <= answer.end_line && result.end_line >= answer.start_line,
    ),
  );
  return index < 0 ? undefined : index + 1;
}

async function score(
  mode: string,
  queries: readonly Query[],
  search: (query: string) => Promise<readonly SearchResult[]>,
): Promise<ModeScore> {
  let at5 = 0;
  let at10 = 0;
  let reciprocal = 0;
  const misses: string[] = [];
  for (const { query, answers } of queries) {
    const rank = firstHit((await search(query)).slice(0, K), answers);
    if (rank !== undefined && rank <= 5) at5 += 1;
    if (rank !== undefined) {
      at10 += 1;
      reciprocal += 1 / rank;
    } else misses.push(query);
  }
  const n = queries.length;
  return { mode, recallAt5: at5 / n, recallAt10: at10 / n, mrrAt10: reciprocal / n, misses };
}

/** Prints one query's lexical top 10 and, when it is an evaluation query, its answers. */
async function explain(index: ChunkIndex, query: string, queries: readonly Query[]): Promise<void> {
  const { results } = await index.search({ query, repositoryUrl: REPOSITORY, k: K });
  const answers = queries.find((candidate) => candidate.query === query)?.answers ?? [];
  for (const answer of answers)
    process.stdout.write(`answer: ${answer.path}:${answer.start_line}-${answer.end_line}\n`);
  results.forEach((result, i) => {
    const hit = firstHit([result], answers) === undefined ? ' ' : '*';
    process.stdout.write(
      `${hit}${String(i + 1).padStart(3)} ${result.score.toFixed(3)} ${result.path}:${result.start_line}-${result.end_line} ${result.symbol ?? ''}\n`,
    );
  });
}

async function openDatabase(): Promise<SqlDatabase> {
  const url = args['database-url'];
  if (url === undefined) return openPgliteDatabase({ dataDir: 'memory://' });
  // A fresh schema, dropped at the end: the evaluation never touches existing data.
  process.env['DATABASE_URL'] = url;
  const schema = await createTestSchema('eval_rag');
  const database = openPostgresDatabase({ connectionString: url, schema: schema.schema, poolSize: 4 });
  return {
    executor: database.executor,
    label: database.label,
    migrate: () => database.migrate(),
    close: async () => {
      await database.close();
      await schema.drop();
    },
  };
}

async function main(): Promise<void> {
  const queries = JSON.parse(readFileSync(join(CORPUS, 'queries.json'), 'utf8')) as Query[];
  const files = corpusFiles();
  const paths = new Set(files.map((file) => file.path));
  const missing = queries.flatMap((q) => q.answers.filter((answer) => !paths.has(answer.path)).map((a) => a.path));
  // A missing answer file would silently lower recall (a .gitignore once kept yaml/dist/ out).
  if (missing.length > 0) throw new Error(`answers name files not in the corpus: ${[...new Set(missing)].join(', ')}`);
  const mergeTokens = args['merge-tokens'] === undefined ? undefined : Number(args['merge-tokens']);
  const chunker = await createChunker(mergeTokens === undefined ? {} : { mergeTokens });
  let server: EmbeddingServer | undefined;
  let embedder: Embedder | undefined;
  if (!args['no-hybrid']) {
    const url = args['embedder-url'];
    if (url === undefined) {
      server = await startEmbeddingServer({ dimensions: TEST_EMBEDDING_DIMENSIONS });
      embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'eval-hash-256', batchSize: 256 });
    } else {
      const apiKey = process.env['EMBEDDER_API_KEY'];
      embedder = createOpenAiEmbedder({
        baseUrl: url,
        model: args['embedder-model'] ?? 'nomic-embed-text',
        ...(apiKey === undefined ? {} : { apiKey }),
      });
    }
  }
  const database = await openDatabase();
  try {
    await database.migrate();
    const index: ChunkIndex = createSqlChunkIndex(database.executor);
    const started = performance.now();
    const loaded = await loadRepository({
      repositoryUrl: REPOSITORY,
      commit: 'eval',
      root: CORPUS,
      files,
      chunker,
      index,
      ...(embedder === undefined ? {} : { embedder }),
      signal: new AbortController().signal,
    });
    log(
      `loaded ${files.length} files as ${loaded.chunks} chunks in ${Math.round(performance.now() - started)} ms` +
        ` (${loaded.mode}); ${queries.length} queries`,
    );
    if (args.explain !== undefined) {
      await explain(index, args.explain, queries);
      return;
    }
    const scores = [
      await score(
        'lexical',
        queries,
        async (query) => (await index.search({ query, repositoryUrl: REPOSITORY, k: K })).results,
      ),
    ];
    if (embedder !== undefined) {
      const hybridEmbedder = embedder;
      scores.push(
        await score('hybrid', queries, async (query) => {
          const response = await searchIndex({
            index,
            embedder: hybridEmbedder,
            query,
            repositoryUrl: REPOSITORY,
            k: K,
          });
          if (response.mode !== 'hybrid') throw new Error(`hybrid search fell back to ${response.mode}`);
          return response.results;
        }),
      );
    }
    const embedderName =
      embedder === undefined ? null : server === undefined ? embedder.model : 'test hashed-token server';
    if (args.json) {
      process.stdout.write(
        JSON.stringify(
          { files: files.length, chunks: loaded.chunks, queries: queries.length, embedder: embedderName, scores },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    const pct = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(7);
    process.stdout.write(
      `mode      Recall@5  Recall@10  MRR@10   (${queries.length} queries, ${loaded.chunks} chunks)\n`,
    );
    for (const s of scores) {
      process.stdout.write(
        `${s.mode.padEnd(8)} ${pct(s.recallAt5)}   ${pct(s.recallAt10)}   ${s.mrrAt10.toFixed(3)}\n`,
      );
    }
    if (embedderName !== null) process.stdout.write(`hybrid embedder: ${embedderName}\n`);
    if (args.verbose) {
      for (const s of scores) for (const miss of s.misses) process.stdout.write(`  miss (${s.mode}): ${miss}\n`);
    }
  } finally {
    chunker.close();
    await database.close();
    await server?.close();
  }
}

await main();
