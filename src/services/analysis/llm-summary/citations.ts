/**
 * Checks the model's citations against the context it was actually given: a citation counts only
 * when its path is a snippet's path and every cited line lies inside the lines shown for that
 * path. Anything else — a file not in the context, lines outside the snippets, an inverted
 * range — is rejected and flagged in the text as `not in context: …`, so a reader never takes a
 * made-up reference for a checked one.
 *
 * A citation is a `path:line`, `path:start-end` or `path#Lstart-Lend` inside square brackets
 * (several may share one pair, separated by `,` or `;`), as the prompt asks. Bracketed text that
 * parses as none (`[1]`, a Markdown link's label) is left alone.
 */
import type { ContextSnippet } from './context.js';

export interface Citation {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface CheckedCitations {
  /** The text with every rejected citation flagged. */
  readonly text: string;
  /** Distinct accepted citations, in order of first appearance. */
  readonly citations: readonly Citation[];
  /** Distinct rejected citations, in order of first appearance. */
  readonly rejected: readonly Citation[];
}

/** Bracket groups: bounded and single-line, so a stray `[` cannot make the scan costly. */
const BRACKETS = /\[([^[\]\n]{1,500})\]/g;
const COLON_FORM = /^(.+?):L?(\d{1,9})(?:\s*[-–—]\s*L?(\d{1,9}))?$/;
const ANCHOR_FORM = /^(.+?)#L(\d{1,9})(?:-L?(\d{1,9}))?$/;

export function parseCitation(raw: string): Citation | undefined {
  const part = raw.trim().replace(/^[`'"]+|[`'"]+$/g, '');
  const match = COLON_FORM.exec(part) ?? ANCHOR_FORM.exec(part);
  if (match === null) return undefined;
  const path = (match[1] ?? '').trim().replace(/^\.?\/+/, '');
  if (path === '' || /^\w+:\/\//.test(path)) return undefined;
  const startLine = Number(match[2]);
  return { path, startLine, endLine: match[3] === undefined ? startLine : Number(match[3]) };
}

/** The line ranges shown per path, merged where snippets touch or overlap. */
function shownRanges(snippets: readonly ContextSnippet[]): Map<string, [number, number][]> {
  const byPath = new Map<string, [number, number][]>();
  for (const s of [...snippets].sort((a, b) => a.startLine - b.startLine)) {
    const ranges = byPath.get(s.path) ?? [];
    const last = ranges.at(-1);
    if (last !== undefined && s.startLine <= last[1] + 1) last[1] = Math.max(last[1], s.endLine);
    else ranges.push([s.startLine, s.endLine]);
    byPath.set(s.path, ranges);
  }
  return byPath;
}

export function checkCitations(text: string, snippets: readonly ContextSnippet[]): CheckedCitations {
  const shown = shownRanges(snippets);
  const isShown = (c: Citation): boolean =>
    c.startLine >= 1 &&
    c.startLine <= c.endLine &&
    (shown.get(c.path) ?? []).some(([start, end]) => c.startLine >= start && c.endLine <= end);
  const accepted = new Map<string, Citation>();
  const rejected = new Map<string, Citation>();
  const key = (c: Citation): string => `${c.path}\0${c.startLine}\0${c.endLine}`;

  const flagged = text.replace(BRACKETS, (whole, inner: string) => {
    const parts = inner.split(/[,;]/);
    // Prose in brackets ("[see the guide: 3]") is no citation; a spaced path counts only if shown.
    const parsed = parts
      .map(parseCitation)
      .map((c) => (c !== undefined && /\s/.test(c.path) && !shown.has(c.path) ? undefined : c));
    if (parsed.every((c) => c === undefined)) return whole;
    const rewritten = parts.map((part, i) => {
      const citation = parsed[i];
      if (citation === undefined) return part.trim();
      if (isShown(citation)) {
        accepted.set(key(citation), citation);
        return part.trim();
      }
      rejected.set(key(citation), citation);
      return `not in context: ${part.trim()}`;
    });
    return `[${rewritten.join(', ')}]`;
  });
  return { text: flagged, citations: [...accepted.values()], rejected: [...rejected.values()] };
}
