/**
 * The context the model writes the summary from: the README's opening lines, then the chunks the
 * RAG index ranks highest for a few fixed questions about any project (what it is, how it
 * starts, how it is configured, what it exposes), taken in turns so every question is heard.
 * Each chunk is read back from the checkout at the analysed commit, so a snippet is exactly the
 * lines its label names (the index's own snippets are a few lines around the match, too little
 * to summarise from). Everything is bounded so the prompt fits a small local model's window.
 */
import type { ChunkIndex, SearchResult } from '../../../ports/chunk-index.js';
import type { Embedder } from '../../../ports/embedder.js';
import { searchIndex } from '../../rag/search-service.js';
import type { CheckoutReader } from '../checkout-reader.js';

export interface ContextSnippet {
  /** Relative to the checkout root, `/`-separated. */
  readonly path: string;
  /** 1-based, inclusive: the lines `lines` holds. */
  readonly startLine: number;
  readonly endLine: number;
  readonly lines: readonly string[];
}

/** Questions asked of the index: generic on purpose, the summary must work for any repository. */
export const SUMMARY_QUERIES = [
  'purpose overview introduction what this project does',
  'main entry point command line server start run',
  'configuration options settings environment',
  'public api exported functions classes interface',
] as const;

const RESULTS_PER_QUERY = 5;
const MAX_SNIPPETS = 10;
const README_LINES = 60;
const MAX_SNIPPET_LINES = 60;
const MAX_LINE_CHARS = 300;
/**
 * About 2 600 tokens of code (~3.5 characters a token): with the instructions (~400) and the
 * answer (at most 800) it fits a 4 096-token window, the default of many local servers, which
 * would otherwise cut the prompt silently.
 */
const MAX_CONTEXT_CHARS = 9_000;
const MAX_FILE_BYTES = 1024 * 1024;

export interface GatherContextInput {
  readonly index: ChunkIndex;
  readonly embedder?: Embedder;
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly reader: CheckoutReader;
  /** The README the deterministic summary chose, if any. */
  readonly readmePath: string | null;
  readonly signal?: AbortSignal;
}

export type GatheredContext =
  | { readonly snippets: readonly ContextSnippet[] }
  /** Why there is no context to summarise from. */
  | { readonly missing: string };

/** Round-robin over the queries' result lists: each question's best hit before any second best. */
function interleave(lists: readonly (readonly SearchResult[])[]): SearchResult[] {
  const out: SearchResult[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const list of lists) {
      const result = list[i];
      if (result !== undefined) out.push(result);
    }
  }
  return out;
}

export async function gatherContext(input: GatherContextInput): Promise<GatheredContext> {
  const stats = await input.index.stats(input.repositoryUrl);
  if (stats === undefined) return { missing: 'the RAG index holds nothing for this repository' };
  if (stats.commit !== input.commit) {
    return { missing: `the RAG index holds commit ${stats.commit.slice(0, 12)}, not the analysed one` };
  }

  const files = new Map<string, readonly string[] | null>();
  const linesOf = async (path: string): Promise<readonly string[] | null> => {
    if (!files.has(path)) {
      const content = await input.reader.read(path, MAX_FILE_BYTES);
      files.set(path, content === null ? null : content.replace(/\r\n?/g, '\n').split('\n'));
    }
    return files.get(path) ?? null;
  };
  const snippets: ContextSnippet[] = [];
  let chars = 0;
  const add = async (path: string, start: number, end: number): Promise<void> => {
    if (snippets.length >= MAX_SNIPPETS || chars >= MAX_CONTEXT_CHARS) return;
    if (snippets.some((s) => s.path === path && start <= s.endLine && end >= s.startLine)) return;
    const all = await linesOf(path);
    if (all === null || start < 1 || start > all.length) return;
    const lines: string[] = [];
    let size = 0;
    for (let line = start; line <= Math.min(end, all.length, start + MAX_SNIPPET_LINES - 1); line++) {
      const text = (all[line - 1] ?? '').slice(0, MAX_LINE_CHARS);
      if (chars + size + text.length + 1 > MAX_CONTEXT_CHARS) break;
      lines.push(text);
      size += text.length + 1;
    }
    // Trailing blank lines say nothing and would widen the range a citation may claim.
    while (lines.length > 0 && (lines.at(-1) ?? '').trim() === '') lines.pop();
    if (lines.length === 0) return;
    snippets.push({ path, startLine: start, endLine: start + lines.length - 1, lines });
    chars += size;
  };

  if (input.readmePath !== null) await add(input.readmePath, 1, README_LINES);
  const lists: SearchResult[][] = [];
  for (const query of SUMMARY_QUERIES) {
    const response = await searchIndex({
      index: input.index,
      embedder: input.embedder,
      query,
      repositoryUrl: input.repositoryUrl,
      k: RESULTS_PER_QUERY,
      signal: input.signal,
    });
    // A publish may have switched the index to another commit since `stats`: skip its chunks.
    lists.push(response.results.filter((r) => r.commit === input.commit));
  }
  for (const result of interleave(lists)) await add(result.path, result.start_line, result.end_line);
  if (snippets.length === 0) return { missing: 'neither the README nor the RAG index gave any readable lines' };
  return { snippets };
}
