/**
 * The service host: puts the chosen stages and the Database Service on their seed consumer
 * groups, on whichever bus it is given. `repolens analyze` runs every service on the in-process
 * bus; `repolens worker` runs the chosen ones on Kafka, where several workers share the
 * partitions. One code path for both modes (DESIGN.md §2).
 */
import { ConsumerGroups } from '../contracts/consumer-groups.js';
import { Topics } from '../contracts/topics.js';
import type { ConsumerDefinition } from '../ports/message-route.js';
import { stageDiscoveryRoute, stageTaskRoute, type StageDefinition } from '../services/stage/stage-route.js';
import type { StageRunDeps } from '../services/stage/stage-run.js';
import { StageSlots } from '../services/stage/stage-slots.js';
import { startConsumer, type ConsumerRuntimeOptions } from './message-consumer.js';
import { startAll } from './start-all.js';

/** Task handlers per stage slot (see startPipeline). */
export const TASK_HANDLERS_PER_SLOT = 2;

export interface PipelineOptions {
  /** The cloning stage (runs on discovery and on `clone` tasks); omit to not clone here. */
  readonly cloning?: StageDefinition;
  /** Stages run on `repository.tasks`: selection, RAG loading, analysis. */
  readonly taskStages: readonly StageDefinition[];
  /** The Database Service; omit to not record status here. */
  readonly database?: ConsumerDefinition<typeof Topics.status>;
  readonly runtime: ConsumerRuntimeOptions;
  readonly stageRun?: Omit<StageRunDeps, 'bus' | 'clock'>;
}

export interface RunningPipeline {
  /** Settles when a consumer stops on its own (a failed hand-off): the host should exit. */
  readonly done: Promise<void>;
  /** Drains in-flight handlers for up to `graceMs`, commits and leaves the groups. Safe twice. */
  close(graceMs?: number): Promise<void>;
}

export async function startPipeline(options: PipelineOptions): Promise<RunningPipeline> {
  const stageDeps: StageRunDeps = { ...options.stageRun, bus: options.runtime.bus, clock: options.runtime.clock };
  const definitions: ConsumerDefinition<typeof Topics.discovery | typeof Topics.tasks | typeof Topics.status>[] = [];
  // Status first: the Database Service should be listening before the first stage reports.
  if (options.database !== undefined) definitions.push(options.database);
  // One count for all stages of this process: a new repository starts only while fewer stages
  // run than `concurrency`, so repositories already under way finish first.
  const limit = options.runtime.concurrency ?? 1;
  const slots = new StageSlots(limit);
  const taskRoutes = options.taskStages.map((stage) => stageTaskRoute(stage, stageDeps, slots));
  if (options.cloning !== undefined) {
    definitions.push({
      topic: Topics.discovery,
      groupId: ConsumerGroups.discovery,
      routes: [stageDiscoveryRoute(options.cloning, stageDeps, slots)],
    });
    taskRoutes.push(stageTaskRoute(options.cloning, stageDeps, slots));
  }
  // Twice the handlers on the tasks topic, so that the next stage of a repository under way
  // finds a free one: the count lets a new repository start while one under way is between two
  // stages (its next task still in flight), and tasks also bring stages of repositories another
  // worker started; with only `limit` handlers the repository that came back waited behind them
  // (bench:pipeline: 8 task stages running in one worker; from delivery to handler a 95th
  // percentile of 585 ms, up to 1.8 s). New work stays bounded by the count, which a `pending`
  // task also waits for, holding its handler meanwhile: a burst of them can take the handlers
  // continuations need. The retry tiers keep `limit` handlers.
  if (taskRoutes.length > 0)
    definitions.push({
      topic: Topics.tasks,
      groupId: ConsumerGroups.tasks,
      routes: taskRoutes,
      concurrency: TASK_HANDLERS_PER_SLOT * limit,
    });

  // Joined in parallel: on Kafka each join waits for the group's other members to notice the
  // rebalance (up to a heartbeat interval), and one after the other those waits add up when a
  // worker joins running ones. Nothing is missed whichever group is ready first: a group without
  // a committed offset starts at the earliest retained message (on both buses), and `analyze`
  // publishes only once every group has joined.
  const running = await startAll(
    // Each definition is for one topic; the union type only widens the array.
    definitions.map((definition) =>
      startConsumer(definition as ConsumerDefinition<typeof Topics.tasks>, options.runtime),
    ),
    (consumer) => consumer.close(0),
  );
  let closing: Promise<void> | undefined;
  return {
    done: Promise.race(running.map((consumer) => consumer.done)),
    close: (graceMs) => {
      closing ??= Promise.all(running.map((consumer) => consumer.close(graceMs))).then(() => undefined);
      return closing;
    },
  };
}
