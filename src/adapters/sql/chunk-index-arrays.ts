/**
 * PostgreSQL array literals (`{"a","b",NULL}`) for `$n::text[]`-style parameters. `SqlParam` is
 * scalar so the executor stays driver-neutral; a literal passed as text and cast in SQL works the
 * same on pg and PGlite, and lets one statement insert thousands of rows through `unnest`.
 */

function quote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function textArray(values: readonly (string | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : quote(value))).join(',')}}`;
}

export function numberArray(values: readonly (number | null)[]): string {
  return `{${values
    .map((value) => {
      if (value === null) return 'NULL';
      if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
      return String(value);
    })
    .join(',')}}`;
}
