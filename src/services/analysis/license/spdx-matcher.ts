/**
 * Matches a license text against every full text of the SPDX License List (the
 * `spdx-license-list` package): Dice coefficient on sets of normalised word bigrams. A match
 * needs a score of at least MATCH_THRESHOLD. The reference bigram sets are built lazily, once per
 * process, then kept only for licenses whose size could reach the threshold (Dice ≤ 2·min/(a+b)).
 * Ties (identical texts such as deprecated `GPL-2.0` and `GPL-2.0-only`) go to the common id.
 */
import spdxFull from 'spdx-license-list/full.js';
import { dice, licenseWords, wordBigrams } from './normalize.js';

export const MATCH_THRESHOLD = 0.85;

interface Reference {
  readonly id: string;
  readonly size: number;
  readonly text: string;
  bigrams?: Set<string>;
}

const PREFERRED = [
  'MIT',
  'Apache-2.0',
  'BSD-3-Clause',
  'BSD-2-Clause',
  'ISC',
  '0BSD',
  'MPL-2.0',
  'GPL-2.0-only',
  'GPL-3.0-only',
  'LGPL-2.1-only',
  'LGPL-3.0-only',
  'AGPL-3.0-only',
  'Unlicense',
];

/**
 * Extra reference texts for licenses whose SPDX text names a licensor that real copies replace:
 * SPDX's ISC text says "ISC DISCLAIMS", the template everyone copies says "THE AUTHOR DISCLAIMS".
 */
const VARIANTS: Readonly<Record<string, (text: string) => string>> = {
  ISC: (text) =>
    text.replace(/\bISC DISCLAIMS\b/g, 'THE AUTHOR DISCLAIMS').replace(/\bSHALL ISC BE\b/g, 'SHALL THE AUTHOR BE'),
};

let references: Reference[] | undefined;

function allReferences(): Reference[] {
  references ??= Object.entries(spdxFull as Record<string, { licenseText?: string }>).flatMap(([id, license]) => {
    const text = license.licenseText;
    if (typeof text !== 'string' || text.length === 0) return [];
    const texts = [text, ...(Object.hasOwn(VARIANTS, id) ? [(VARIANTS[id] as (t: string) => string)(text)] : [])];
    // The exact set size (needed for a safe bound); the set itself is rebuilt only when needed.
    return texts.map((t) => ({ id, size: wordBigrams(licenseWords(t)).size, text: t }));
  });
  return references;
}

function preference(id: string): number {
  const index = PREFERRED.indexOf(id);
  if (index !== -1) return index;
  // Deprecated bare GPL-style ids lose to their -only / -or-later forms.
  if (/-(only|or-later)$/.test(id)) return 100;
  return 200 + id.length;
}

export interface SpdxMatch {
  readonly id: string;
  readonly score: number;
}

/** The best SPDX match of a license text, or undefined below the threshold. */
export function matchSpdx(text: string): SpdxMatch | undefined {
  const bigrams = wordBigrams(licenseWords(text));
  if (bigrams.size === 0) return undefined;
  let best: SpdxMatch | undefined;
  for (const reference of allReferences()) {
    // Upper bound of Dice from sizes alone; skips most of the 700 texts without building their sets.
    const bound = (2 * Math.min(bigrams.size, reference.size)) / (bigrams.size + reference.size);
    if (bound < MATCH_THRESHOLD || (best !== undefined && bound < best.score)) continue;
    reference.bigrams ??= wordBigrams(licenseWords(reference.text));
    const score = dice(bigrams, reference.bigrams);
    if (score < MATCH_THRESHOLD) continue;
    if (
      best === undefined ||
      score > best.score + 1e-9 ||
      (Math.abs(score - best.score) <= 1e-9 && preference(reference.id) < preference(best.id))
    ) {
      best = { id: reference.id, score };
    }
  }
  return best;
}
