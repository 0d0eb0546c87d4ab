/**
 * License text normalisation before comparison, after licensee's (github/licensee) rules:
 * lower case; British spelling folded; copyright and "all rights reserved" lines dropped (they
 * differ in every copy); placeholders like `<year>`, `[yyyy]`, `<copyright holders>` dropped
 * (the SPDX texts have them, real files have names); a leading title line ("MIT License",
 * "Apache License") dropped; everything from "END OF TERMS AND CONDITIONS" on dropped (the
 * Apache appendix is optional); URLs dropped; punctuation, quotes, dashes, bullets and whitespace
 * reduced to single spaces between words.
 */

// "Copyright 2024 Jane", "(c) ACME" — but not a wrapped sentence such as "copyright notice and ...".
const COPYRIGHT_LINE =
  /^[\s#*/;!-]*(copyright\b(?!\s+(notices?|holders?|owners?|and|or|law|laws|statement|licen[cs]e|protection)\b)|\(c\)|©|all rights reserved)/i;
const TITLE_LINE = /^[\s#*=-]*(the\s+)?[\w\s.,()"'-]{0,60}\blicen[cs]e\b[\w\s.,:()"'-]{0,40}$/i;

/** The words of a license text after normalisation. */
export function licenseWords(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  let titleChecked = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (COPYRIGHT_LINE.test(line)) continue;
    if (!titleChecked) {
      titleChecked = true;
      // "MIT License", "Apache License", "ISC License:" — but not a sentence that mentions a license.
      if (TITLE_LINE.test(line) && line.trim().split(/\s+/).length <= 8) continue;
    }
    kept.push(line);
  }
  const joined = kept.join('\n').toLowerCase();
  // Apache-style appendices ("how to apply these terms") are optional in real copies.
  const end = joined.indexOf('end of terms and conditions');
  const body = (end === -1 ? joined : joined.slice(0, end))
    .replace(/<[^<>\n]{0,80}>/g, ' ')
    .replace(/\[[^[\]\n]{0,80}\]/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\blicence/g, 'license')
    .replace(/\bcopyright\s+(\(c\)|©)[^\n]*/g, ' ');
  return body.match(/[a-z0-9]+/g) ?? [];
}

/** The set of adjacent word pairs. */
export function wordBigrams(words: readonly string[]): Set<string> {
  const bigrams = new Set<string>();
  for (let i = 0; i + 1 < words.length; i += 1) bigrams.add(`${words[i]} ${words[i + 1]}`);
  return bigrams;
}

/** Dice coefficient 2|A∩B| / (|A|+|B|): 1 for identical sets, 0 for disjoint ones. */
export function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size + b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const item of small) if (large.has(item)) shared += 1;
  return (2 * shared) / (a.size + b.size);
}
