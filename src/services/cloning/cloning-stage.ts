/**
 * The Git Cloning Service's stage (seed: "Project Discovery Service -> repository.discovery ->
 * Git Cloning Service", then "repository.tasks (clone)"): clone the repository, or fetch it when
 * the workspace already has it, and hand the commit and default branch on in the headers of the
 * `clone` `completed` task. The git adapter does the work under DESIGN.md §3's safety rules and
 * says with each error whether retrying can help.
 */
import type { Git } from '../../ports/git.js';
import type { StageDefinition } from '../stage/stage-route.js';

export const CLONING_SERVICE = 'cloning';

export interface CloningStageDeps {
  readonly git: Git;
}

export function cloningStage(deps: CloningStageDeps): StageDefinition {
  return {
    service: CLONING_SERVICE,
    taskType: 'clone',
    status: 'cloning',
    after: undefined,
    run: async (job, work) => {
      const result = await deps.git.sync(job.repositoryUrl, {
        signal: work.signal,
        onProgress: (progress) => work.progress(progress.percent),
      });
      return { commit: result.commit, defaultBranch: result.defaultBranch };
    },
  };
}
