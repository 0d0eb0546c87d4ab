/**
 * Code-aware tokens for the chunk index's BM25. An identifier yields its parts (camelCase,
 * PascalCase, snake_case, kebab-case and digit runs split, lower-cased) and, when it has several
 * parts, the parts joined (`retryPolicy`, `retry_policy` and `retry-policy` all give `retry`,
 * `policy` and `retrypolicy`): a query in one naming style finds identifiers in another, and a
 * whole-identifier match scores above scattered parts. Numbers are kept; single letters and a
 * short list of English stopwords are dropped (language keywords are not: BM25's idf already
 * makes them cheap).
 */

/** Longer tokens are cut: keeps btree entries small whatever a hostile file contains. */
export const MAX_TOKEN_LENGTH = 64;

const STOPWORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'that',
  'the',
  'this',
  'to',
  'was',
  'with',
]);

// An identifier, possibly kebab-joined (`max-old-space`); `_` stays inside for snake_case.
const IDENTIFIER = /[\p{L}\p{N}_]+(?:-[\p{L}\p{N}_]+)*/gu;
// Within one `_`/`-` separated piece: an upper-case run not followed by lower case (HTTP in
// HTTPServer), a capitalised or lower-case word, or a digit run.
const PART = /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{N}+|\p{L}+/gu;

function keep(token: string): boolean {
  if (STOPWORDS.has(token)) return false;
  // Single letters (loop variables) carry nothing; single digits do (`v2`, `http2`).
  return token.length > 1 || /\p{N}/u.test(token);
}

function cut(token: string): string {
  return token.length > MAX_TOKEN_LENGTH ? token.slice(0, MAX_TOKEN_LENGTH) : token;
}

/** Every token of `text`, in order, with repeats (term frequencies count them). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const [identifier] of text.matchAll(IDENTIFIER)) {
    const parts: string[] = [];
    for (const piece of identifier.split(/[_-]+/)) {
      for (const [part] of piece.matchAll(PART)) parts.push(part.toLowerCase());
    }
    for (const part of parts) if (keep(part)) tokens.push(cut(part));
    if (parts.length > 1) {
      const joined = parts.join('');
      if (keep(joined)) tokens.push(cut(joined));
    }
  }
  return tokens;
}

/** Term → frequency, and the field's length in tokens. */
export interface TermCounts {
  readonly counts: Map<string, number>;
  readonly length: number;
}

export function countTerms(text: string): TermCounts {
  const tokens = tokenize(text);
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return { counts, length: tokens.length };
}

/** The distinct tokens of a query, in first-seen order. */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))];
}
