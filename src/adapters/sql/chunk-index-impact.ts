/**
 * What publishing precomputes so a search reads few postings (migration 0006): each posting's
 * impact, its BM25F term weight without idf, and each posting's repository key. A search reads an
 * unscoped term's postings in impact order and stops early (chunk-index-search.ts); impacts only
 * choose the candidates, scores are recomputed exactly, so an impact computed with slightly stale
 * averages (a reused file keeps the ones of the generation that wrote it) costs nothing but a
 * little recall.
 */
import { createHash } from 'node:crypto';

export interface Bm25Parameters {
  readonly k1: number;
  readonly body: { readonly weight: number; readonly b: number };
  readonly path: { readonly weight: number; readonly b: number };
  readonly symbol: { readonly weight: number; readonly b: number };
}

/** k1 and b as usual; a term in the symbol counts 3×, in the path 2×, against the body. */
export const DEFAULT_BM25: Bm25Parameters = {
  k1: 1.2,
  body: { weight: 1, b: 0.75 },
  path: { weight: 2, b: 0.5 },
  symbol: { weight: 3, b: 0.5 },
};

/** Average field lengths (body, path, symbol) of a generation, each at least 1 as in search. */
export type Averages = readonly [number, number, number];

export function averagesOf(chunks: number, body: number, path: number, symbol: number): Averages {
  const n = Math.max(chunks, 1);
  return [Math.max(body / n, 1), Math.max(path / n, 1), Math.max(symbol / n, 1)];
}

/** tf~·(k1+1)/(k1+tf~) with tf~ = Σ w_f·tf_f / (1 − b_f + b_f·len_f/avg_f): the search's formula. */
export function impactOf(
  p: Bm25Parameters,
  tf: readonly [number, number, number],
  len: readonly [number, number, number],
  avg: Averages,
): number {
  const fields = [p.body, p.path, p.symbol] as const;
  let weighted = 0;
  fields.forEach((field, i) => {
    weighted += (field.weight * (tf[i] ?? 0)) / (1 - field.b + (field.b * (len[i] ?? 0)) / (avg[i] ?? 1));
  });
  return (weighted * (p.k1 + 1)) / (p.k1 + weighted);
}

/**
 * The first 32 bits of md5(url) as a signed integer; migration 0006 computes the same in SQL
 * (`('x' || substr(md5(url), 1, 8))::bit(32)::int`). Not a secret, only a clustering key.
 */
export function repositoryKey(repositoryUrl: string): number {
  const hex = createHash('md5').update(repositoryUrl, 'utf8').digest('hex').slice(0, 8);
  return Number.parseInt(hex, 16) | 0;
}
