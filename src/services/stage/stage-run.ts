/**
 * One run of one stage for one repository, as the seed's messages tell it:
 *   task `in_progress` → status at 0 → status at progress steps → status at 100 with
 *   `stage_duration` → task `completed`;
 * or, when the stage gives up, task `failed` and a status carrying the (redacted) error.
 * Progress messages are throttled (a few per second at most) and never go backwards; they are
 * published in order on one chain, and a failure to publish one fails the stage at `complete`,
 * so nothing is silently lost.
 */
import { Headers } from '../../contracts/headers.js';
import type { RepositoryStatus } from '../../contracts/status-message.js';
import type { TaskStatus, TaskType } from '../../contracts/task-message.js';
import { Topics } from '../../contracts/topics.js';
import { encodeMessage } from '../../contracts/validation.js';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { redactSecrets, truncateUtf8 } from '../../domain/redaction.js';
import type { Clock } from '../../ports/clock.js';
import type { MessageBus, OutgoingMessage } from '../../ports/message-bus.js';
import type { StageJob } from './stage-job.js';

export interface StageRunDeps {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** Least time between two progress messages (default 250 ms). */
  readonly progressIntervalMs?: number;
  /** Told when a stage finished (progress 100), for the stage-duration metric. */
  readonly onStageFinished?: (status: RepositoryStatus, durationMs: number) => void;
}

export interface StageRunSpec {
  readonly job: StageJob;
  readonly taskId: string;
  readonly taskType: TaskType;
  readonly status: RepositoryStatus;
  /** Retries already spent on the trigger (task metadata). */
  readonly retryCount: number;
}

export interface StageOutcome {
  readonly commit?: string;
  readonly defaultBranch?: string;
}

export interface StageRun {
  readonly taskId: string;
  /** Publishes the `in_progress` task and status 0; resolves once they are acknowledged. */
  start(): Promise<void>;
  /** 0-100; throttled, monotonic, fire-and-forget (errors surface in `complete`). */
  progress(percent: number): void;
  complete(outcome?: StageOutcome): Promise<void>;
  /** Publishes the `failed` task and the status with the error. */
  fail(error: string): Promise<void>;
}

/** Errors in status messages are for people: short, and never with credentials. */
const MAX_ERROR_BYTES = 1024;

export function createStageRun(deps: StageRunDeps, spec: StageRunSpec): StageRun {
  const { bus, clock } = deps;
  const interval = deps.progressIntervalMs ?? 250;
  const { job } = spec;
  let commit = job.commit;
  let defaultBranch = job.defaultBranch;
  let startedAt = clock.now();
  let lastPercent = -1;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let chain: Promise<void> = Promise.resolve();
  let publishError: unknown;

  const headers = (): Record<string, string> => ({
    [Headers.runId]: job.runId,
    ...(commit === undefined ? {} : { [Headers.commit]: commit }),
    ...(defaultBranch === undefined ? {} : { [Headers.defaultBranch]: defaultBranch }),
  });

  const statusMessage = (progress: number, error?: string): OutgoingMessage => ({
    topic: Topics.status,
    key: job.repositoryUrl,
    headers: headers(),
    value: encodeMessage(Topics.status, {
      repository_url: job.repositoryUrl,
      status: spec.status,
      timestamp: new Date(clock.now()).toISOString(),
      details: {
        progress,
        stage_duration: Math.max(0, Math.round(clock.now() - startedAt)),
        ...(error === undefined ? {} : { error }),
      },
    }),
  });

  const taskMessage = (status: TaskStatus, lastError?: string): OutgoingMessage => ({
    topic: Topics.tasks,
    key: job.repositoryUrl,
    headers: headers(),
    value: encodeMessage(Topics.tasks, {
      task_id: spec.taskId,
      repository_url: job.repositoryUrl,
      task_type: spec.taskType,
      created_at: new Date(clock.now()).toISOString(),
      status,
      metadata: {
        priority: job.priority,
        retry_count: spec.retryCount,
        ...(lastError === undefined ? {} : { last_error: lastError }),
      },
    }),
  });

  const enqueue = (messages: () => OutgoingMessage[]): Promise<void> => {
    // Built now (timestamps and durations as of this call), sent in call order.
    const built = messages();
    chain = chain.then(() => bus.produce(built));
    return chain;
  };

  const settle = async (): Promise<void> => {
    await chain.catch((error: unknown) => {
      publishError ??= error;
    });
    if (publishError === undefined) return;
    if (publishError instanceof Error) throw publishError;
    throw new RepolensError(ErrorCodes.unavailable, 'publishing a progress message failed', {
      cause: publishError,
      retryable: true,
    });
  };

  return {
    taskId: spec.taskId,
    start: async () => {
      startedAt = clock.now();
      lastPercent = 0;
      lastSentAt = startedAt;
      await enqueue(() => [taskMessage('in_progress'), statusMessage(0)]);
    },
    progress: (percent) => {
      const value = Math.min(99, Math.max(0, Math.floor(percent)));
      const now = clock.now();
      if (value <= lastPercent || now - lastSentAt < interval) return;
      lastPercent = value;
      lastSentAt = now;
      enqueue(() => [statusMessage(value)]).catch((error: unknown) => {
        publishError ??= error;
      });
    },
    complete: async (outcome = {}) => {
      commit = outcome.commit ?? commit;
      defaultBranch = outcome.defaultBranch ?? defaultBranch;
      await settle();
      // The status at 100 is acknowledged before the `completed` task goes out: the next stage,
      // perhaps in another worker, publishes its first status only once it has that task, so a
      // repository's status messages stay in stage order on their partition. Sent together, the
      // status could still be in flight, or be retried, when the next stage's first one is
      // written. This costs one replicated write's latency per hand-off.
      await enqueue(() => [statusMessage(100)]);
      await enqueue(() => [taskMessage('completed')]);
      deps.onStageFinished?.(spec.status, Math.max(0, clock.now() - startedAt));
    },
    fail: async (error) => {
      const text = truncateUtf8(redactSecrets(error), MAX_ERROR_BYTES);
      await chain.catch(() => undefined);
      await enqueue(() => [taskMessage('failed', text), statusMessage(Math.max(0, lastPercent), text)]);
    },
  };
}
