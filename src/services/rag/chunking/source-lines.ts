/**
 * A file as lines with their o200k token counts, and the step that turns line ranges into
 * `Chunk`s. Every chunker path (syntax units, Markdown sections, line windows) decides only
 * which line ranges form chunks; this module owns what a chunk is: exactly those lines, blank
 * edge lines trimmed, sha256 of the content, exact token count, never above the cap.
 */
import { createHash } from 'node:crypto';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { Chunk } from '../../../ports/chunk.js';

// Repository text may contain `<|endoftext|>` and friends: they are plain text here, not special
// tokens (the tokenizer would otherwise throw on hostile input).
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function countTokens(text: string): number {
  // The default call is markedly faster (options are re-processed on every call); it throws
  // only when the text holds a special-token string, which is rare: then count it as plain text.
  try {
    return countO200k(text);
  } catch {
    return countO200k(text, PLAIN_TEXT);
  }
}

export interface SourceLines {
  readonly path: string;
  readonly language: string | null;
  readonly lines: readonly string[];
  /** `prefix[i]` = tokens of lines `0..i-1` (each counted with its newline). */
  readonly prefix: readonly number[];
}

export function sourceLines(path: string, language: string | null, content: string): SourceLines {
  const lines = content.split('\n');
  const prefix = [0];
  let total = 0;
  for (const line of lines) {
    // Per-line counts summed are a close upper bound of the range's real count (BPE merges
    // across a newline only rarely); the exact count is taken once per finished chunk.
    total += line.trim() === '' ? 1 : countTokens(line + '\n');
    prefix.push(total);
  }
  return { path, language, lines, prefix };
}

/** Estimated tokens of rows `start..end` (0-based, inclusive). */
export function rangeTokens(source: SourceLines, start: number, end: number): number {
  return (source.prefix[end + 1] ?? 0) - (source.prefix[start] ?? 0);
}

export function isBlank(source: SourceLines, row: number): boolean {
  return (source.lines[row] ?? '').trim() === '';
}

/** A decided range: rows are 0-based and inclusive. */
export interface Piece {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  readonly symbol: string | null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function makeChunk(
  source: SourceLines,
  startLine: number,
  endLine: number,
  kind: string,
  symbol: string | null,
  content: string,
  tokens: number,
): Chunk {
  return {
    path: source.path,
    startLine,
    endLine,
    language: source.language,
    symbol,
    kind,
    content,
    contentHash: sha256(content),
    tokens,
  };
}

/** Characters of one over-long line, cut so each part stays within `maxTokens`. */
export function splitLongLine(line: string, maxTokens: number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > 0) {
    // Guess the cut from this stretch's characters per token, then shrink until it fits: one
    // or two counts per part, so a megabyte of minified code costs about two passes.
    const sample = rest.slice(0, maxTokens * 8);
    const sampleTokens = countTokens(sample);
    if (sample.length === rest.length && sampleTokens <= maxTokens) {
      parts.push(rest);
      break;
    }
    let cut = Math.max(
      1,
      Math.min(rest.length, Math.floor((sample.length / Math.max(1, sampleTokens)) * maxTokens * 0.95)),
    );
    for (let tokens = countTokens(rest.slice(0, cut)); tokens > maxTokens && cut > 1;) {
      cut = Math.max(1, Math.floor(cut * (maxTokens / tokens) * 0.95));
      tokens = countTokens(rest.slice(0, cut));
    }
    // Never split a surrogate pair.
    const code = rest.charCodeAt(cut - 1);
    if (cut > 1 && cut < rest.length && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return parts;
}

/**
 * Line windows over rows `start..end`: consecutive lines packed up to `targetTokens`; a line
 * alone above `maxTokens` is cut by characters into chunks of that one line.
 */
export function windowChunks(
  source: SourceLines,
  start: number,
  end: number,
  kind: string,
  symbol: string | null,
  targetTokens: number,
  maxTokens: number,
): Chunk[] {
  const chunks: Chunk[] = [];
  let from = -1;
  const flush = (to: number): void => {
    if (from >= 0) chunks.push(...finishRange(source, { start: from, end: to, kind, symbol }, maxTokens));
    from = -1;
  };
  for (let row = start; row <= end; row += 1) {
    const lineTokens = rangeTokens(source, row, row);
    if (lineTokens > maxTokens) {
      flush(row - 1);
      const line = source.lines[row] ?? '';
      if (countTokens(line) > maxTokens) {
        for (const part of splitLongLine(line, maxTokens)) {
          chunks.push(makeChunk(source, row + 1, row + 1, kind, symbol, part, countTokens(part)));
        }
        continue;
      }
      from = row;
      flush(row);
      continue;
    }
    if (from >= 0 && rangeTokens(source, from, row) > targetTokens) flush(row - 1);
    if (from < 0) from = row;
  }
  flush(end);
  return chunks;
}

/**
 * The chunk of a decided range: blank edge lines trimmed (an all-blank range gives nothing), and
 * when the exact count exceeds the cap after all (the per-line estimate was low), line windows.
 */
export function finishRange(source: SourceLines, piece: Piece, maxTokens: number): Chunk[] {
  let { start, end } = piece;
  while (start <= end && isBlank(source, start)) start += 1;
  while (end >= start && isBlank(source, end)) end -= 1;
  if (start > end) return [];
  const content = source.lines.slice(start, end + 1).join('\n');
  const tokens = countTokens(content);
  if (tokens <= maxTokens) return [makeChunk(source, start + 1, end + 1, piece.kind, piece.symbol, content, tokens)];
  if (start === end) {
    return splitLongLine(content, maxTokens).map((part) =>
      makeChunk(source, start + 1, end + 1, piece.kind, piece.symbol, part, countTokens(part)),
    );
  }
  // The estimate was low (rare): halve by rows until each part fits; ranges shrink, so it ends.
  const mid = start + Math.floor((end - start) / 2);
  return [
    ...finishRange(source, { ...piece, start, end: mid }, maxTokens),
    ...finishRange(source, { ...piece, start: mid + 1, end }, maxTokens),
  ];
}
