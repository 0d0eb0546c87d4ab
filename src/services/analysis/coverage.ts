/**
 * Section 11, coverage: what File Selection included and why it left files out, whether the
 * token budget made the selection partial, which files the analysis itself could not read,
 * warnings (unparsable manifests), stages that failed before the analysis, and sections the
 * analysis built the fallback way (the summary when the configured LLM failed) with the reason.
 */
import type { ReportCoverage } from '../../contracts/report.js';
import type { Manifest } from '../../ports/manifest-store.js';
import { clean } from './text.js';

export function buildCoverage(
  manifest: Manifest,
  filesCounted: number,
  unreadable: readonly string[],
  warnings: readonly { path: string; message: string }[],
  failedStages: readonly string[],
  fallbacks: readonly { section: string; reason: string }[] = [],
): ReportCoverage {
  const byReason: Record<string, number> = {};
  for (const [reason, n] of Object.entries(manifest.totals.byReason)) {
    if (reason !== 'included' && n !== undefined && n > 0) byReason[reason] = n;
  }
  return {
    files_total: manifest.totals.files,
    included: manifest.totals.included,
    excluded: manifest.totals.excluded,
    excluded_by_reason: byReason,
    budget: manifest.budget,
    partial: manifest.partial,
    coverage_percent: Math.min(100, Math.max(0, manifest.coveragePercent)),
    files_counted: filesCounted,
    files_unreadable: unreadable.slice(0, 50),
    failed_stages: failedStages.map((s) => clean(s, 64)),
    warnings: warnings.slice(0, 50).map((w) => ({ path: w.path, message: clean(w.message, 500) })),
    fallbacks: fallbacks.slice(0, 20).map((f) => ({ section: clean(f.section, 64), reason: clean(f.reason, 500) })),
  };
}
