/**
 * Section 6, activity, from the commit history (newest first, as git gives it): commits,
 * contributors (distinct author emails), first and last commit, commits per week over the 12
 * weeks ending at the analysis time, the bus factor (the smallest number of authors whose
 * commits together reach 50 % of all commits) and churn: how many commits touched each file
 * that still exists (deleted files cannot be hotspots and would crowd the list).
 */
import type { ReportActivity } from '../../contracts/report.js';
import type { CommitRecord } from '../../ports/git.js';
import { clean } from './text.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
export const ACTIVITY_WEEKS = 12;
const TOP = 10;

/** Commits per path, for the paths in `present`. */
export function churnByPath(history: readonly CommitRecord[], present: ReadonlySet<string>): Map<string, number> {
  const churn = new Map<string, number>();
  for (const commit of history) {
    for (const path of new Set(commit.files)) {
      if (present.has(path)) churn.set(path, (churn.get(path) ?? 0) + 1);
    }
  }
  return churn;
}

/** Smallest number of authors covering at least half of the commits (0 without commits). */
export function busFactor(commitsPerAuthor: readonly number[]): number {
  const total = commitsPerAuthor.reduce((sum, n) => sum + n, 0);
  if (total === 0) return 0;
  const sorted = [...commitsPerAuthor].sort((a, b) => b - a);
  let covered = 0;
  let authors = 0;
  for (const commits of sorted) {
    covered += commits;
    authors += 1;
    if (covered * 2 >= total) break;
  }
  return authors;
}

export function buildActivity(
  history: readonly CommitRecord[],
  analyzedAt: Date,
  churn: ReadonlyMap<string, number>,
): ReportActivity {
  const perAuthor = new Map<string, { name: string; commits: number }>();
  for (const commit of history) {
    const email = commit.authorEmail.toLowerCase();
    const entry = perAuthor.get(email);
    // History is newest first: the first name seen is the author's current one.
    if (entry === undefined) perAuthor.set(email, { name: commit.authorName, commits: 1 });
    else entry.commits += 1;
  }
  const times = history.map((c) => c.authoredAt.getTime()).filter((t) => Number.isFinite(t));
  const end = analyzedAt.getTime();
  const start = end - ACTIVITY_WEEKS * WEEK_MS;
  const weeks = Array.from({ length: ACTIVITY_WEEKS }, (_, i) => ({
    week_start: new Date(start + i * WEEK_MS).toISOString(),
    commits: 0,
  }));
  for (const time of times) {
    if (time < start || time >= end) continue;
    const week = weeks[Math.floor((time - start) / WEEK_MS)];
    if (week !== undefined) week.commits += 1;
  }
  const authors = [...perAuthor.values()];
  return {
    commits: history.length,
    contributors: perAuthor.size,
    first_commit_at: times.length === 0 ? null : new Date(Math.min(...times)).toISOString(),
    last_commit_at: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
    commits_per_week: weeks,
    bus_factor: busFactor(authors.map((a) => a.commits)),
    top_contributors: authors
      .sort((a, b) => b.commits - a.commits || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, TOP)
      .map((a) => ({ name: clean(a.name, 300), commits: a.commits })),
    top_churn_files: [...churn.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP)
      .map(([path, commits]) => ({ path, commits })),
  };
}
