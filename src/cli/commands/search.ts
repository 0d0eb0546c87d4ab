/**
 * `repolens search "<query>" [--repo <url>] [--k 10] [--json]`: searches the RAG index. Hybrid
 * (BM25 + vectors, fused by RRF) when an embedder is configured, else lexical, and the output
 * says which. JSON is exactly `{ mode, results: [{ repository_url, commit, path, start_line,
 * end_line, symbol, score, snippet }] }`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../../config/schema.js';
import type { ChunkIndex, SearchResponse } from '../../ports/chunk-index.js';
import type { Embedder } from '../../ports/embedder.js';
import { searchIndex } from '../../services/rag/search-service.js';
import type { CliDeps } from '../deps.js';
import { printJson } from '../io.js';
import { positiveInteger } from '../parse.js';

export interface SearchBackend {
  readonly index: ChunkIndex;
  readonly embedder?: Embedder;
  close(): Promise<void>;
}

export type OpenSearch = (config: Config) => Promise<SearchBackend>;

interface SearchFlags {
  readonly repo?: string;
  readonly k: number;
  readonly json?: boolean;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly embedderUrl?: string;
  readonly embedderModel?: string;
}

const MAX_K = 100;

function kFlag(value: string): number {
  const k = positiveInteger('--k')(value);
  if (k > MAX_K) throw new InvalidArgumentError(`--k must be at most ${MAX_K}, got "${value}"`);
  return k;
}

function printPlain(deps: CliDeps, response: SearchResponse, fellBack: boolean): void {
  const { io } = deps;
  if (response.mode === 'lexical') {
    io.out(
      fellBack
        ? 'lexical search only: the embedder failed, so results are BM25 without vectors\n'
        : 'lexical search only (BM25): no embedder configured, set --embedder-url for hybrid search\n',
    );
  } else {
    io.out('hybrid search: BM25 and vectors fused by reciprocal rank\n');
  }
  if (response.results.length === 0) {
    io.out('no results\n');
    return;
  }
  response.results.forEach((result, position) => {
    const symbol = result.symbol === null ? '' : `  ${result.symbol}`;
    io.out(
      `\n${position + 1}. ${result.path}:${result.start_line}-${result.end_line}${symbol}  ` +
        `[${result.repository_url} @ ${result.commit.slice(0, 12)}]  score ${result.score.toPrecision(4)}\n`,
    );
    io.out(`${result.snippet.replace(/^/gm, '    ')}\n`);
  });
}

export function registerSearchCommand(program: Command, deps: CliDeps, openSearch: OpenSearch): void {
  program
    .command('search')
    .description('search the indexed repositories (hybrid with an embedder, else lexical BM25)')
    .argument('<query>', 'words, identifiers (any naming style) or a question')
    .option('--repo <url>', 'only this repository')
    .option('--k <n>', `number of results (1-${MAX_K})`, kFlag, 10)
    .option('--json', 'print JSON')
    .option('--database-url <url>', 'PostgreSQL of a distributed installation (env DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of embedded mode (env REPOLENS_DATA_DIR, default .repolens)')
    .option('--embedder-url <url>', 'embedding server for hybrid search (env REPOLENS_EMBEDDER_URL)')
    .option('--embedder-model <name>', 'embedding model (env REPOLENS_EMBEDDER_MODEL)')
    .action(async (query: string, options: SearchFlags) => {
      const config = deps.resolveConfig({
        databaseUrl: options.databaseUrl,
        dataDir: options.dataDir,
        embedderUrl: options.embedderUrl,
        embedderModel: options.embedderModel,
      });
      const backend = await openSearch(config);
      try {
        let fellBack = false;
        const response = await searchIndex({
          index: backend.index,
          ...(backend.embedder === undefined ? {} : { embedder: backend.embedder }),
          query,
          ...(options.repo === undefined ? {} : { repositoryUrl: options.repo }),
          k: options.k,
          onFallback: (error) => {
            fellBack = true;
            const reason = error instanceof Error ? error.message : String(error);
            deps.io.err(`warning: the embedder failed (${reason}); searching lexically\n`);
          },
        });
        if (options.json === true) {
          printJson(deps.io, {
            mode: response.mode,
            results: response.results.map((r) => ({
              repository_url: r.repository_url,
              commit: r.commit,
              path: r.path,
              start_line: r.start_line,
              end_line: r.end_line,
              symbol: r.symbol,
              score: r.score,
              snippet: r.snippet,
            })),
          });
          return;
        }
        printPlain(deps, response, fellBack);
      } finally {
        await backend.close();
      }
    });
}
