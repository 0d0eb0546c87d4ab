/**
 * Small helpers every section uses: strings from a repository are hostile, so anything copied
 * into the report is cleaned (no control characters: PostgreSQL rejects NUL in text and jsonb)
 * and bounded; numbers are rounded so that reports compare and diff exactly.
 */

/** Removes control characters (keeping tab and newline when `multiline`) and bounds the length. */
export function clean(text: string, max = 300, multiline = false): string {
  // eslint-disable-next-line no-control-regex
  const pattern = multiline ? /[\u0000-\u0008\u000B-\u001F\u007F\u2028\u2029]/g : /[\u0000-\u001F\u007F\u2028\u2029]/g;
  const cleaned = text.replace(pattern, multiline ? '' : ' ');
  return cleaned.length <= max ? cleaned : `${cleaned.slice(0, max - 1)}…`;
}

export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** part / whole as a percent with 2 decimals; 0 when the whole is 0. */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : round((part / whole) * 100);
}

/** The last path segment. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

/** The directory part (`''` at the root). */
export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Stable order for report lists: by key, then by the default string order. */
export function byString<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}
