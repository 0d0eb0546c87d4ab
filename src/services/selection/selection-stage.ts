/**
 * The File Selection Service's stage (seed: `clone` completed → File Selection): decide every
 * file of the checkout at the recorded commit and store the manifest. On a `completed` trigger a
 * manifest already stored for the commit is kept (a redelivery, or a resume, redoes nothing); a
 * `pending` trigger (a re-run request) selects again.
 */
import type { Git } from '../../ports/git.js';
import type { ManifestStore } from '../../ports/manifest-store.js';
import type { Store } from '../../ports/store.js';
import { resolveCommit } from '../stage/stage-commit.js';
import type { StageDefinition } from '../stage/stage-route.js';
import { churnByPath } from './churn.js';
import { selectFiles } from './select-files.js';

export const SELECTION_SERVICE = 'file-selection';

export interface SelectionStageDeps {
  readonly git: Git;
  readonly manifests: ManifestStore;
  readonly store: Pick<Store, 'getRepository'>;
  readonly maxFileBytes?: number;
  readonly budgetTokens?: number;
}

export function selectionStage(deps: SelectionStageDeps): StageDefinition {
  return {
    service: SELECTION_SERVICE,
    taskType: 'select_files',
    status: 'file_selection',
    after: 'clone',
    run: async (job, work) => {
      const commit = await resolveCommit(job, deps.store);
      if (!job.forced && (await deps.manifests.get(job.repositoryUrl, commit)) !== undefined) return { commit };
      const checkout = await deps.git.ensure(job.repositoryUrl, commit, { signal: work.signal });
      const history = await deps.git.history(checkout, { signal: work.signal, maxCommits: 5000 });
      work.progress(5);
      const manifest = await selectFiles({
        root: checkout.dir,
        repositoryUrl: job.repositoryUrl,
        commit,
        budgetTokens: deps.budgetTokens,
        maxFileBytes: deps.maxFileBytes,
        churn: churnByPath(history),
        signal: work.signal,
        onProgress: (examined, total) => work.progress(5 + (total === 0 ? 90 : (90 * examined) / total)),
      });
      await deps.manifests.save(manifest);
      return { commit, defaultBranch: checkout.defaultBranch };
    },
  };
}
