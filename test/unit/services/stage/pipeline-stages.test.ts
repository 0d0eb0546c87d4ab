/**
 * The stage framework on the in-process bus with the real consumer runtime: a stage runs on its
 * trigger, and the seed's task journal and status messages come out in order with the commit
 * carried in headers; a failing stage ends in the DLQ with a `failed` task sharing the
 * `in_progress` task id and a status message whose error has no credentials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryBroker,
  createMemoryBus,
  createMemoryBusAdmin,
} from '../../../../src/adapters/bus-memory/index.js';
import { silentLogger } from '../../../../src/adapters/system/silent-logger.js';
import { systemClock } from '../../../../src/adapters/system/system-clock.js';
import { Headers } from '../../../../src/contracts/headers.js';
import { Topics } from '../../../../src/contracts/topics.js';
import { decodeMessage, encodeMessage } from '../../../../src/contracts/validation.js';
import type { StatusMessage } from '../../../../src/contracts/status-message.js';
import type { TaskMessage } from '../../../../src/contracts/task-message.js';
import { RepolensError } from '../../../../src/domain/errors.js';
import type { MessageBus, OutgoingMessage, ReceivedMessage } from '../../../../src/ports/message-bus.js';
import { startPipeline, type RunningPipeline } from '../../../../src/runtime/pipeline.js';
import { ensureTopics } from '../../../../src/runtime/topic-provisioning.js';
import type { StageJob } from '../../../../src/services/stage/stage-job.js';
import type { StageDefinition } from '../../../../src/services/stage/stage-route.js';
import { discoveryRecord } from '../../../support/discovery.js';
import { eventually, gate } from '../../../support/wait.js';

const COMMIT = 'a'.repeat(40);
const URL_OK = 'https://git.example.test/org/ok';

interface Harness {
  readonly bus: MessageBus;
  readonly received: ReceivedMessage[];
  readonly pipeline: RunningPipeline;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(
  cloning: StageDefinition,
  taskStages: StageDefinition[],
  /** Wraps the bus the stages publish with (the test's watcher reads the plain one). */
  wrap: (bus: MessageBus) => MessageBus = (bus) => bus,
  concurrency?: number,
): Promise<Harness> {
  const broker = createMemoryBroker();
  await ensureTopics(createMemoryBusAdmin(broker));
  const bus = createMemoryBus(broker);
  const received: ReceivedMessage[] = [];
  const watcher = await bus.subscribe({
    groupId: 'test-watcher',
    topics: [Topics.tasks, Topics.status, Topics.dlq],
    handler: async (message) => {
      received.push(message);
    },
  });
  const pipeline = await startPipeline({
    cloning,
    taskStages,
    runtime: { bus: wrap(bus), clock: systemClock, logger: silentLogger, retryDelaysMs: [5, 5, 5], concurrency },
    stageRun: { progressIntervalMs: 0 },
  });
  cleanups.push(async () => {
    await pipeline.close(0);
    await watcher.close({ graceMs: 0 });
    await bus.close();
  });
  return { bus, received, pipeline };
}

/** A task message as another worker or the API would publish it. */
function taskRecord(url: string, taskType: TaskMessage['task_type'], status: TaskMessage['status']): OutgoingMessage {
  return {
    topic: Topics.tasks,
    key: url,
    headers: { [Headers.commit]: COMMIT },
    value: encodeMessage(Topics.tasks, {
      task_id: crypto.randomUUID(),
      repository_url: url,
      task_type: taskType,
      created_at: new Date().toISOString(),
      status,
      metadata: { priority: 2, retry_count: 0 },
    }),
  };
}

function discover(bus: MessageBus, url: string): Promise<void> {
  return bus.produce([discoveryRecord(url, { priority: 4, source: 'manual' })]);
}

/** The task journal and status messages of a clone followed by a file selection, in order. */
const CLONE_THEN_SELECT_TASKS = [
  'clone:in_progress',
  'clone:completed',
  'select_files:in_progress',
  'select_files:completed',
];
const CLONE_THEN_SELECT_STATUSES = ['cloning:0', 'cloning:50', 'cloning:100', 'file_selection:0', 'file_selection:100'];

const tasksOf = (received: ReceivedMessage[]): { message: TaskMessage; headers: Record<string, string> }[] =>
  received
    .filter((m) => m.topic === Topics.tasks)
    .map((m) => ({ message: decodeMessage(Topics.tasks, m.value), headers: { ...m.headers } }));

const statusesOf = (received: ReceivedMessage[]): StatusMessage[] =>
  received.filter((m) => m.topic === Topics.status).map((m) => decodeMessage(Topics.status, m.value));

function cloningLike(): StageDefinition {
  return {
    service: 'cloning',
    taskType: 'clone',
    status: 'cloning',
    after: undefined,
    run: async (_job, work) => {
      work.progress(50);
      return { commit: COMMIT, defaultBranch: 'trunk' };
    },
  };
}

/** A file-selection stage (after cloning) doing `run`. */
function selectionLike(run: StageDefinition['run']): StageDefinition {
  return { service: 'selection', taskType: 'select_files', status: 'file_selection', after: 'clone', run };
}

describe('stages on the pipeline host', () => {
  it('runs a stage on its predecessor, carrying commit, branch, run id and priority', async () => {
    const seen: StageJob[] = [];
    const selection = selectionLike(async (job) => {
      seen.push(job);
      return undefined;
    });
    const { bus, received } = await harness(cloningLike(), [selection]);
    await discover(bus, URL_OK);
    await eventually(
      'both stages completed',
      () => tasksOf(received).filter((t) => t.message.status === 'completed').length === 2,
    );

    const tasks = tasksOf(received);
    expect(tasks.map((t) => `${t.message.task_type}:${t.message.status}`)).toEqual(CLONE_THEN_SELECT_TASKS);
    expect(tasks[0]?.message.task_id).toBe(tasks[1]?.message.task_id);
    expect(tasks[2]?.message.task_id).toBe(tasks[3]?.message.task_id);
    expect(tasks[0]?.message.task_id).not.toBe(tasks[2]?.message.task_id);
    expect(tasks.every((t) => t.message.metadata.priority === 4)).toBe(true);
    expect(tasks[1]?.headers[Headers.commit]).toBe(COMMIT);
    expect(tasks[1]?.headers[Headers.defaultBranch]).toBe('trunk');
    const runIds = new Set(tasks.map((t) => t.headers[Headers.runId]));
    expect(runIds.size).toBe(1);

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ repositoryUrl: URL_OK, commit: COMMIT, defaultBranch: 'trunk', forced: false });

    const statuses = statusesOf(received);
    expect(statuses.map((s) => `${s.status}:${s.details.progress}`)).toEqual(CLONE_THEN_SELECT_STATUSES);
    expect(statuses.every((s) => s.details.error === undefined)).toBe(true);
  });

  it('starts the work without waiting for the start messages to be acknowledged, and still publishes them first', async () => {
    const acknowledged = gate();
    let startAcknowledged = false;
    // Holds back the acknowledgement of file selection's start messages (in_progress, status 0).
    const slowStart = (bus: MessageBus): MessageBus => ({
      produce: async (messages) => {
        const isSelectionStart = messages.some(
          (m) =>
            m.topic === Topics.tasks &&
            decodeMessage(Topics.tasks, m.value).status === 'in_progress' &&
            decodeMessage(Topics.tasks, m.value).task_type === 'select_files',
        );
        await bus.produce(messages);
        if (isSelectionStart) {
          await acknowledged.promise;
          startAcknowledged = true;
        }
      },
      subscribe: (options) => bus.subscribe(options),
      close: () => bus.close(),
    });
    let workStartedBeforeAcknowledgement: boolean | undefined;
    const selection = selectionLike(async () => {
      workStartedBeforeAcknowledgement = !startAcknowledged;
      acknowledged.open();
      return undefined;
    });
    const { bus, received } = await harness(cloningLike(), [selection], slowStart);
    await discover(bus, URL_OK);
    await eventually(
      'both stages completed',
      () => tasksOf(received).filter((t) => t.message.status === 'completed').length === 2,
    );
    expect(workStartedBeforeAcknowledgement).toBe(true);
    expect(tasksOf(received).map((t) => `${t.message.task_type}:${t.message.status}`)).toEqual(CLONE_THEN_SELECT_TASKS);
    expect(statusesOf(received).map((s) => `${s.status}:${s.details.progress}`)).toEqual(CLONE_THEN_SELECT_STATUSES);
  });

  it('runs a stage again on a pending task of its own type, forced', async () => {
    const seen: StageJob[] = [];
    const selection = selectionLike(async (job) => {
      seen.push(job);
      return undefined;
    });
    const { bus, received } = await harness(cloningLike(), [selection]);
    await bus.produce([taskRecord(URL_OK, 'select_files', 'pending')]);
    await eventually('the stage completed', () => tasksOf(received).some((t) => t.message.status === 'completed'));
    expect(seen).toEqual([expect.objectContaining({ forced: true, commit: COMMIT, priority: 2 })]);
  });

  it('retries a transient failure, then dead-letters a permanent one with a failed task and a redacted error', async () => {
    let attempts = 0;
    const flaky = selectionLike(async () => {
      attempts += 1;
      if (attempts === 1) throw new RepolensError('REPOLENS_UNAVAILABLE', 'database away', { retryable: true });
      throw new RepolensError('REPOLENS_GIT_NOT_FOUND', 'https://alice:hunter2@git.example.test/org/ok not found');
    });
    const { bus, received } = await harness(cloningLike(), [flaky]);
    await discover(bus, URL_OK);
    await eventually('a failed task', () => tasksOf(received).some((t) => t.message.status === 'failed'));

    const selectTasks = tasksOf(received).filter((t) => t.message.task_type === 'select_files');
    expect(selectTasks.map((t) => `${t.message.status}:${t.message.metadata.retry_count}`)).toEqual([
      'in_progress:0',
      'in_progress:1',
      'failed:1',
    ]);
    expect(new Set(selectTasks.map((t) => t.message.task_id)).size).toBe(1);
    const failed = selectTasks.at(-1)?.message;
    expect(failed?.metadata.last_error).toMatch(/not found \[REPOLENS_GIT_NOT_FOUND\]/);
    expect(failed?.metadata.last_error).not.toContain('hunter2');

    const errorStatus = statusesOf(received).find((s) => s.details.error !== undefined);
    expect(errorStatus).toMatchObject({ status: 'file_selection' });
    expect(errorStatus?.details.error).not.toContain('hunter2');
    await eventually('a DLQ record', () => received.some((m) => m.topic === Topics.dlq));
    expect(received.filter((m) => m.topic === Topics.dlq)).toHaveLength(1);
    const dlq = received.find((m) => m.topic === Topics.dlq);
    expect(dlq?.headers[Headers.errorCode]).toBe('REPOLENS_GIT_NOT_FOUND');
    expect(dlq?.headers[Headers.originalTopic]).toBe(Topics.tasks);
  });

  it('starts a new repository only while fewer stages run than the limit', async () => {
    const urls = ['https://git.example.test/org/a', 'https://git.example.test/org/b', 'https://git.example.test/org/c'];
    const cloned: string[] = [];
    const cloning: StageDefinition = {
      ...cloningLike(),
      run: async (job) => {
        cloned.push(job.repositoryUrl);
        return { commit: COMMIT, defaultBranch: 'trunk' };
      },
    };
    const selectionsHeld = gate();
    let selecting = 0;
    const selection = selectionLike(async () => {
      selecting += 1;
      await selectionsHeld.promise;
      return undefined;
    });
    const { bus, received } = await harness(cloning, [selection], undefined, 2);
    // One at a time, so the first two are under way before the third is discovered.
    await discover(bus, urls[0] as string);
    await discover(bus, urls[1] as string);
    await eventually('two selections running', () => selecting === 2);
    await discover(bus, urls[2] as string);
    // A discovery handler is free, but the two repositories under way hold both slots: before
    // this rule, the third clone started at once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cloned).toEqual(urls.slice(0, 2));

    selectionsHeld.open();
    await eventually(
      'all three selected',
      () => tasksOf(received).filter((t) => isSelectionDone(t.message)).length === 3,
    );
    expect(cloned).toEqual(urls);
  });

  it('runs the next stage of a repository under way at once, even while the worker runs its limit', async () => {
    const urls = ['https://git.example.test/org/a', 'https://git.example.test/org/b'];
    const elsewhere = 'https://git.example.test/org/cloned-elsewhere';
    const selectionsHeld = gate();
    const selecting: string[] = [];
    const selection = selectionLike(async (job) => {
      selecting.push(job.repositoryUrl);
      await selectionsHeld.promise;
      return undefined;
    });
    const { bus, received } = await harness(cloningLike(), [selection], undefined, 2);
    for (const url of urls) await discover(bus, url);
    await eventually('two selections running', () => selecting.length === 2);
    // A repository another worker cloned comes back for its next stage while this one runs its
    // limit of stages: it must not wait for them (with as many task handlers as slots, it did).
    await bus.produce([taskRecord(elsewhere, 'clone', 'completed')]);
    await eventually('the third selection running beside the two', () => selecting.includes(elsewhere));
    selectionsHeld.open();
    await eventually(
      'all three selected',
      () => tasksOf(received).filter((t) => isSelectionDone(t.message)).length === 3,
    );
  });

  it('starts a pending task (a re-run) only while fewer stages run than the limit, like a discovery', async () => {
    const rerun = 'https://git.example.test/org/rerun';
    const selectionsHeld = gate();
    const selecting: string[] = [];
    const selection = selectionLike(async (job) => {
      selecting.push(job.repositoryUrl);
      if (job.repositoryUrl === URL_OK) await selectionsHeld.promise;
      return undefined;
    });
    const { bus, received } = await harness(cloningLike(), [selection], undefined, 1);
    await discover(bus, URL_OK);
    await eventually('the first selection running', () => selecting.length === 1);
    await bus.produce([taskRecord(rerun, 'select_files', 'pending')]);
    // A task handler is free (there are twice as many as slots), but the one slot is taken.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(selecting).toEqual([URL_OK]);

    selectionsHeld.open();
    await eventually('both selected', () => tasksOf(received).filter((t) => isSelectionDone(t.message)).length === 2);
    expect(selecting).toEqual([URL_OK, rerun]);
  });
});

const isSelectionDone = (message: TaskMessage): boolean =>
  message.task_type === 'select_files' && message.status === 'completed';
