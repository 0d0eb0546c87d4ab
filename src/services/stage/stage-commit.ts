/**
 * Which commit a stage works on: the one in the trigger's `x-commit` header, or, for a re-run
 * request without one, the commit of the repository's latest run as the Database Service
 * recorded it. Without either, the stage cannot know what to read: a permanent error telling the
 * user to run discovery (or the clone stage) again.
 */
import { RepolensError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import type { StageJob } from './stage-job.js';

export const StageErrorCodes = {
  /** A stage was asked to run without a commit, and none is recorded for the repository. */
  commitUnknown: 'REPOLENS_STAGE_COMMIT_UNKNOWN',
  /** A stage's input (the manifest of the previous stage) is missing for the commit. */
  inputMissing: 'REPOLENS_STAGE_INPUT_MISSING',
} as const;

export async function resolveCommit(job: StageJob, store: Pick<Store, 'getRepository'>): Promise<string> {
  if (job.commit !== undefined) return job.commit;
  const repository = await store.getRepository(job.repositoryUrl, { historyLimit: 0 });
  const recorded = repository?.runs
    .map((run) => run.commit)
    .filter((commit): commit is string => commit !== null)
    .at(-1);
  if (recorded !== undefined) return recorded;
  throw new RepolensError(
    StageErrorCodes.commitUnknown,
    `no commit is recorded for ${job.repositoryUrl}: discover it again so it is cloned first`,
  );
}
