/**
 * Turns a stage (what it does) into message routes (when it runs), following DESIGN.md §1: a
 * stage runs on its predecessor's `completed` task, or on a `pending` task of its own type (a
 * re-run request); the cloning stage also runs on `repository.discovery`. The routes publish the
 * stage's task and status messages around the work, and on give-up the `failed` task and a
 * status with the error. The consumer runtime retries and dead-letters around them.
 */
import type { DiscoveryMessage } from '../../contracts/discovery-message.js';
import type { RepositoryStatus } from '../../contracts/status-message.js';
import type { TaskMessage, TaskType } from '../../contracts/task-message.js';
import type { Topics } from '../../contracts/topics.js';
import { isRepolensError } from '../../domain/errors.js';
import type { MessageRoute, RouteContext } from '../../ports/message-route.js';
import { jobFromDiscovery, jobFromTask, stageTaskId, type StageJob } from './stage-job.js';
import { createStageRun, type StageOutcome, type StageRunDeps } from './stage-run.js';
import type { StageSlots } from './stage-slots.js';

export interface StageWork {
  readonly signal: AbortSignal;
  /** 0-100 within the stage. */
  progress(percent: number): void;
}

export interface StageDefinition {
  /** Service name, in DLQ headers and logs. */
  readonly service: string;
  readonly taskType: TaskType;
  readonly status: RepositoryStatus;
  /** The task type whose `completed` message starts this stage; undefined for cloning. */
  readonly after: TaskType | undefined;
  run(job: StageJob, work: StageWork): Promise<StageOutcome | undefined>;
}

/** What a user reads in the status message and the task's last_error. */
function describeFailure(error: unknown): string {
  if (isRepolensError(error)) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}

async function runStage(
  definition: StageDefinition,
  deps: StageRunDeps,
  job: StageJob,
  context: RouteContext,
): Promise<void> {
  const run = createStageRun(deps, {
    job,
    taskId: stageTaskId(context.received, definition.taskType),
    taskType: definition.taskType,
    status: definition.status,
    retryCount: context.attempt - 1,
  });
  // The work does not wait for the start messages to be acknowledged (a round trip to every
  // replica): they are sent in order ahead of the completion, and a failure to send them fails
  // the stage in `complete`.
  const started = run.start();
  started.catch(() => undefined);
  let outcome: StageOutcome | undefined;
  try {
    outcome = await definition.run(job, { signal: context.signal, progress: (p) => run.progress(p) });
  } catch (error) {
    // What follows a failure (a retry, or the `failed` task and status) comes after the start.
    await started.catch(() => undefined);
    throw error;
  }
  await run.complete(outcome ?? {});
}

async function reportGiveUp(
  definition: StageDefinition,
  deps: StageRunDeps,
  job: StageJob,
  error: unknown,
  context: RouteContext,
): Promise<void> {
  const run = createStageRun(deps, {
    job,
    taskId: stageTaskId(context.received, definition.taskType),
    taskType: definition.taskType,
    status: definition.status,
    retryCount: context.attempt - 1,
  });
  await run.fail(describeFailure(error));
}

/**
 * `slots`: the process's running stages. A `completed` task continues a repository under way, so
 * it never waits for a slot; a `pending` task starts a new run (a reprocess, a resume after a
 * restart), so it waits like a discovery.
 */
export function stageTaskRoute(
  definition: StageDefinition,
  deps: StageRunDeps,
  slots: StageSlots,
): MessageRoute<typeof Topics.tasks> {
  const triggers = (message: TaskMessage): boolean =>
    (message.status === 'completed' && message.task_type === definition.after) ||
    (message.status === 'pending' && message.task_type === definition.taskType);
  return {
    service: definition.service,
    accepts: triggers,
    handle: (message, context) => {
      const run = (): Promise<void> => runStage(definition, deps, jobFromTask(message, context.received), context);
      return message.status === 'pending' ? slots.startRepository(context.signal, run) : slots.continueRepository(run);
    },
    onGiveUp: (message, giveUp, context) =>
      reportGiveUp(definition, deps, jobFromTask(message, context.received), giveUp.error, context),
  };
}

/** `slots`: a discovery starts a new repository, so it waits for a free one. */
export function stageDiscoveryRoute(
  definition: StageDefinition,
  deps: StageRunDeps,
  slots: StageSlots,
): MessageRoute<typeof Topics.discovery> {
  return {
    service: definition.service,
    accepts: () => true,
    handle: (message: DiscoveryMessage, context) =>
      slots.startRepository(context.signal, () =>
        runStage(definition, deps, jobFromDiscovery(message, context.received), context),
      ),
    onGiveUp: (message, giveUp, context) =>
      reportGiveUp(definition, deps, jobFromDiscovery(message, context.received), giveUp.error, context),
  };
}
