/**
 * Starts (or resumes) one repository in the pipeline: a discovery message for a new run, or a
 * `pending` task for the stage after the last completed one of an unfinished run (resume.ts).
 */
import { randomUUID } from 'node:crypto';
import { Headers } from '../contracts/headers.js';
import { Topics } from '../contracts/topics.js';
import { encodeMessage } from '../contracts/validation.js';
import type { Clock } from '../ports/clock.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { Store } from '../ports/store.js';
import { planStart, type StartPlan } from './resume.js';

export interface StartRepositoryOptions {
  readonly bus: MessageBus;
  readonly store: Pick<Store, 'getRepository'>;
  readonly clock: Clock;
  /** Normalized URL. */
  readonly url: string;
  readonly priority: number;
  readonly source: 'manual' | 'automatic';
}

export async function startRepository(options: StartRepositoryOptions): Promise<StartPlan> {
  const { bus, clock, url } = options;
  const plan = await planStart(options.store, url);
  const now = new Date(clock.now()).toISOString();
  if (plan.kind === 'discover') {
    await bus.produce([
      {
        topic: Topics.discovery,
        key: url,
        headers: { [Headers.runId]: randomUUID() },
        value: encodeMessage(Topics.discovery, {
          repository_url: url,
          discovery_timestamp: now,
          priority: options.priority,
          source: options.source,
        }),
      },
    ]);
    return plan;
  }
  await bus.produce([
    {
      topic: Topics.tasks,
      key: url,
      headers: { [Headers.commit]: plan.commit, ...(plan.runId === null ? {} : { [Headers.runId]: plan.runId }) },
      value: encodeMessage(Topics.tasks, {
        task_id: randomUUID(),
        repository_url: url,
        task_type: plan.taskType,
        created_at: now,
        status: 'pending',
        metadata: { priority: options.priority, retry_count: 0 },
      }),
    },
  ]);
  return plan;
}
