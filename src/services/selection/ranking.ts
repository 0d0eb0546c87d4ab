/**
 * How important an included file is to someone (or a model) reading the project, as one number:
 *   category base (README at the root 100, other READMEs 80, manifests 90, entry points 75,
 *   docs 60, source 50, config 40, test 30, example 20, data 10, other 5)
 *   − 2 per directory level (at most −10): top-level files explain more
 *   + git churn: 4 × log2(1 + commits touching the path), at most +16
 * Churn and depth move files within and near their band but never lift a test over source of the
 * same depth by churn alone unless it is very hot. Deterministic: the same inputs give the same
 * ranks, and ties are broken by path wherever order matters (the budget).
 */
import type { FileCategory } from '../../ports/manifest-store.js';
import { isEntryPoint, isManifest } from './categories.js';

const CATEGORY_BASE: Record<FileCategory, number> = {
  docs: 60,
  source: 50,
  config: 40,
  test: 30,
  example: 20,
  data: 10,
  other: 5,
};

const README = /^readme(?:\.[^/]*)?$/i;

export function rankOf(path: string, category: FileCategory, churn: number): number {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const depth = slash === -1 ? 0 : path.split('/').length - 1;
  let base = CATEGORY_BASE[category];
  if (README.test(name)) base = depth === 0 ? 100 : 80;
  else if (isManifest(name)) base = Math.max(base, 90);
  else if (category === 'source' && isEntryPoint(name)) base = 75;
  const churnBonus = Math.min(16, 4 * Math.log2(1 + Math.max(0, churn)));
  return Math.round((base - Math.min(10, 2 * depth) + churnBonus) * 100) / 100;
}

export interface BudgetCandidate {
  readonly path: string;
  readonly rank: number;
  readonly tokens: number;
}

/**
 * The paths kept within `budget` tokens: best rank first (then path), each kept when it still
 * fits, so one huge file does not push out every smaller one after it.
 */
export function applyBudget(candidates: readonly BudgetCandidate[], budget: number): Set<string> {
  const ordered = [...candidates].sort((a, b) => b.rank - a.rank || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const kept = new Set<string>();
  let remaining = budget;
  for (const candidate of ordered) {
    if (candidate.tokens <= remaining) {
      kept.add(candidate.path);
      remaining -= candidate.tokens;
    }
  }
  return kept;
}
