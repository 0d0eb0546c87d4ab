/**
 * Where a repository's processing starts when `repolens analyze` (or `serve`) is started again:
 * the in-process bus does not survive the process, but the Database Service's store does. A
 * repository whose last run is unfinished resumes at the stage after its last completed one
 * (a `pending` task for that stage, with the run's commit and id); anything else starts a new
 * run with a discovery message.
 */
import type { RepositoryStatus } from '../contracts/status-message.js';
import type { TaskType } from '../contracts/task-message.js';
import type { Store } from '../ports/store.js';

export type StartPlan =
  | { readonly kind: 'discover' }
  | { readonly kind: 'resume'; readonly taskType: TaskType; readonly commit: string; readonly runId: string | null };

/** The stage a status names, and the one after it. */
const STAGE_OF: Record<RepositoryStatus, { readonly task: TaskType; readonly next: TaskType | undefined }> = {
  cloning: { task: 'clone', next: 'select_files' },
  file_selection: { task: 'select_files', next: 'load_rag' },
  rag_loaded: { task: 'load_rag', next: 'analyze' },
  analyzed: { task: 'analyze', next: undefined },
};

export async function planStart(store: Pick<Store, 'getRepository'>, url: string): Promise<StartPlan> {
  const repository = await store.getRepository(url, { historyLimit: 0 });
  const run = repository?.runs.at(-1);
  if (repository === undefined || run === undefined || run.outcome !== 'running' || run.commit === null) {
    return { kind: 'discover' };
  }
  const stage = STAGE_OF[repository.status];
  const taskType = repository.progress >= 100 ? stage.next : stage.task;
  // A clone cut short is simply started again: it resumes nothing a fetch would not.
  if (taskType === undefined || taskType === 'clone') return { kind: 'discover' };
  return { kind: 'resume', taskType, commit: run.commit, runId: run.runId };
}
