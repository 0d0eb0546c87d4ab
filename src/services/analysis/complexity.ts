/**
 * Section 7, complexity and hotspots: per-file cyclomatic-style complexity (1 + branch points,
 * from the counting module) of programming-language files, and hotspots after Adam Tornhill's
 * "Your Code as a Crime Scene": complexity × churn (commits touching the file), top 10. A complex
 * file nobody changes and a simple file everybody changes are both less risky than the product.
 */
import type { ReportComplexity } from '../../contracts/report.js';
import type { FileMetrics } from './file-metrics.js';
import { round } from './text.js';

const TOP = 10;

export function buildComplexity(
  metrics: ReadonlyMap<string, FileMetrics>,
  churn: ReadonlyMap<string, number>,
): ReportComplexity {
  const measured = [...metrics.entries()].flatMap(([path, m]) =>
    m.complexity === null ? [] : [{ path, complexity: m.complexity }],
  );
  measured.sort((a, b) => (a.path < b.path ? -1 : 1));
  const total = measured.reduce((sum, f) => sum + f.complexity, 0);
  let max: { path: string; complexity: number } | null = null;
  for (const file of measured) if (max === null || file.complexity > max.complexity) max = file;
  const hotspots = measured
    .map((f) => {
      const commits = churn.get(f.path) ?? 0;
      return { path: f.path, complexity: f.complexity, churn: commits, score: f.complexity * commits };
    })
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1))
    .slice(0, TOP);
  return {
    files_measured: measured.length,
    total,
    average: measured.length === 0 ? 0 : round(total / measured.length),
    max,
    hotspots,
  };
}
