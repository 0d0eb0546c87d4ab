/**
 * countLines: code, comment and blank lines of one file, with cloc's definitions (README.md):
 * a whitespace-only line is blank wherever it is (even inside a comment or a string); a line with
 * any code is code, even when it also holds a comment; a line with only comment text is comment.
 */
import { compiledSyntax, LineTally, scanRange } from './scanner.js';

export interface LineCounts {
  readonly code: number;
  readonly comment: number;
  readonly blank: number;
}

/**
 * Counts the lines of `content` written in `language` (a Linguist name, e.g. `TypeScript`,
 * `Shell`, `C++`). A language not in the syntax table counts as plain text: every non-blank line
 * is code. Lines end at `\n` (a `\r` before it is whitespace); a last line without a newline counts.
 */
export function countLines(content: string, language: string): LineCounts {
  const tally = new LineTally();
  scanRange(content, 0, content.length, compiledSyntax(language), tally, null);
  if (content.length > 0 && content.charCodeAt(content.length - 1) !== 10) tally.endLine();
  return { code: tally.code, comment: tally.comment, blank: tally.blank };
}
