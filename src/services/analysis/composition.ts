/**
 * Section 2, composition: per language files, bytes and line counts (code, comment, blank), the
 * primary language the way GitHub Linguist picks it (most bytes among programming and markup
 * files that are not vendored, generated or documentation), and the shares of vendored,
 * generated, test and docs files among all files of the manifest.
 */
import type { ReportComposition } from '../../contracts/report.js';
import type { FileDecision } from '../../ports/manifest-store.js';
import type { FileMetrics } from './file-metrics.js';
import { isComposed } from './file-metrics.js';
import { isDetectable, languageType } from './languages.js';
import { percentOf } from './text.js';

interface Totals {
  files: number;
  bytes: number;
  detectableBytes: number;
  code: number;
  comment: number;
  blank: number;
}

export function buildComposition(
  files: readonly FileDecision[],
  metrics: ReadonlyMap<string, FileMetrics>,
): ReportComposition {
  const perLanguage = new Map<string, Totals>();
  for (const file of files) {
    if (!isComposed(file)) continue;
    const language = file.language as string;
    let totals = perLanguage.get(language);
    if (totals === undefined) {
      totals = { files: 0, bytes: 0, detectableBytes: 0, code: 0, comment: 0, blank: 0 };
      perLanguage.set(language, totals);
    }
    totals.files += 1;
    totals.bytes += file.bytes;
    if (isDetectable(language) && file.category !== 'docs') totals.detectableBytes += file.bytes;
    const lines = metrics.get(file.path);
    if (lines !== undefined) {
      totals.code += lines.code;
      totals.comment += lines.comment;
      totals.blank += lines.blank;
    }
  }
  const detectableTotal = [...perLanguage.values()].reduce((sum, t) => sum + t.detectableBytes, 0);
  const languages = [...perLanguage.entries()]
    .map(([language, t]) => ({
      language,
      type: languageType(language),
      files: t.files,
      bytes: t.bytes,
      code: t.code,
      comment: t.comment,
      blank: t.blank,
      bytes_percent: percentOf(t.detectableBytes, detectableTotal),
      detectable: t.detectableBytes,
    }))
    .sort((a, b) => b.bytes - a.bytes || (a.language < b.language ? -1 : 1));
  const primary = languages
    .filter((l) => l.detectable > 0)
    .sort((a, b) => b.detectable - a.detectable || (a.language < b.language ? -1 : 1))[0];
  const all = files.length;
  return {
    languages: languages.map(({ detectable: _detectable, ...row }) => row),
    primary_language: primary?.language ?? null,
    totals: {
      files: languages.reduce((sum, l) => sum + l.files, 0),
      bytes: languages.reduce((sum, l) => sum + l.bytes, 0),
      code: languages.reduce((sum, l) => sum + l.code, 0),
      comment: languages.reduce((sum, l) => sum + l.comment, 0),
      blank: languages.reduce((sum, l) => sum + l.blank, 0),
    },
    vendored_percent: percentOf(files.filter((f) => f.vendored).length, all),
    generated_percent: percentOf(files.filter((f) => f.generated).length, all),
    test_percent: percentOf(files.filter((f) => f.category === 'test').length, all),
    docs_percent: percentOf(files.filter((f) => f.category === 'docs').length, all),
  };
}
