/** Git churn per path: how many commits touched it, the signal ranking and hotspots use. */
import type { CommitRecord } from '../../ports/git.js';

export function churnByPath(history: readonly CommitRecord[]): Map<string, number> {
  const churn = new Map<string, number>();
  for (const commit of history) {
    for (const path of commit.files) churn.set(path, (churn.get(path) ?? 0) + 1);
  }
  return churn;
}
