/**
 * The chunker (issue 7): cuts one file into chunks for the RAG index. Source code in a language
 * with a grammar is parsed once with tree-sitter and cut along its syntax (syntax-pieces.ts);
 * Markdown is cut at headings; anything else gets line windows. Every path ends in
 * `finishRange`/`windowChunks`, which enforce the token cap. See README.md.
 */
import type { Parser } from 'web-tree-sitter';
import { MAX_CHUNK_TOKENS, type Chunk } from '../../../ports/chunk.js';
import { grammarFor, isMarkdown, loadParsers, type GrammarId } from './grammars.js';
import { classifierFor } from './language-units.js';
import { markdownSections } from './markdown-sections.js';
import { finishRange, rangeTokens, sourceLines, windowChunks, type SourceLines } from './source-lines.js';
import { absorbFragments, segment } from './syntax-pieces.js';

export interface ChunkFileInput {
  /** Relative to the checkout root, `/`-separated. */
  readonly path: string;
  /** Linguist language name, or null (the extension then picks the grammar). */
  readonly language: string | null;
  readonly content: string;
}

export interface Chunker {
  /** The file's chunks in line order; their lines cover every non-blank line of the file. */
  chunkFile(input: ChunkFileInput): Chunk[];
  /** Releases the parsers; the chunker must not be used afterwards. Safe twice. */
  close(): void;
}

export interface ChunkerOptions {
  /** Hard cap per chunk, o200k tokens (default and maximum: MAX_CHUNK_TOKENS). */
  readonly maxTokens?: number;
  /** Small neighbouring units and sections are merged while together within this (default 300). */
  readonly mergeTokens?: number;
  /** Larger files skip parsing and get line windows (default 1 MiB of text). */
  readonly maxParseChars?: number;
}

const DEFAULT_MERGE_TOKENS = 300;
const DEFAULT_MAX_PARSE_CHARS = 1 << 20;

export async function createChunker(options: ChunkerOptions = {}): Promise<Chunker> {
  const maxTokens = Math.min(options.maxTokens ?? MAX_CHUNK_TOKENS, MAX_CHUNK_TOKENS);
  const mergeTokens = Math.min(options.mergeTokens ?? DEFAULT_MERGE_TOKENS, maxTokens);
  const maxParseChars = options.maxParseChars ?? DEFAULT_MAX_PARSE_CHARS;
  if (!(maxTokens >= 16) || !(mergeTokens >= 1)) throw new RangeError('chunker token budgets are too small');
  let parsers: Map<GrammarId, Parser> | undefined = await loadParsers();

  const windows = (source: SourceLines): Chunk[] =>
    windowChunks(source, 0, source.lines.length - 1, 'window', null, mergeTokens, maxTokens);

  const syntaxChunks = (source: SourceLines, grammar: GrammarId, parser: Parser, content: string): Chunk[] => {
    const tree = parser.parse(content);
    if (tree === null) return windows(source);
    try {
      const pieces = absorbFragments(
        segment(
          source,
          tree.rootNode,
          0,
          source.lines.length - 1,
          { path: [], kind: 'module', inClass: false },
          { maxTokens, mergeTokens, classify: classifierFor(grammar) },
        ),
        mergeTokens,
        maxTokens,
      );
      return pieces.flatMap((piece) =>
        piece.oversize
          ? windowChunks(source, piece.start, piece.end, piece.kind, piece.symbol, maxTokens, maxTokens)
          : finishRange(source, piece, maxTokens),
      );
    } finally {
      // Trees live in WASM memory: never leave one behind.
      tree.delete();
    }
  };

  return {
    chunkFile({ path, language, content }) {
      if (parsers === undefined) throw new Error('chunker is closed');
      const source = sourceLines(path, language, content);
      if (content.trim() === '') return [];
      if (isMarkdown(path, language)) {
        return markdownSections(source, mergeTokens).flatMap((piece) =>
          rangeTokens(source, piece.start, piece.end) > maxTokens
            ? windowChunks(source, piece.start, piece.end, piece.kind, piece.symbol, mergeTokens, maxTokens)
            : finishRange(source, piece, maxTokens),
        );
      }
      const grammar = grammarFor(path, language);
      const parser = grammar === undefined ? undefined : parsers.get(grammar);
      if (grammar === undefined || parser === undefined || content.length > maxParseChars) return windows(source);
      return syntaxChunks(source, grammar, parser, content);
    },
    close() {
      for (const parser of parsers?.values() ?? []) parser.delete();
      parsers = undefined;
    },
  };
}
