/**
 * Which services a process runs, built from the ports the composition root chose: `analyze`
 * runs all of them on the in-process bus; `repolens worker --services clone,select` runs some on
 * Kafka. Each service is a stage (or the Database Service) on its seed consumer group.
 */
import type { Config } from '../config/schema.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { ChunkIndex } from '../ports/chunk-index.js';
import type { Clock } from '../ports/clock.js';
import type { Embedder } from '../ports/embedder.js';
import type { Git } from '../ports/git.js';
import type { Llm } from '../ports/llm.js';
import type { Logger } from '../ports/logger.js';
import type { ManifestStore } from '../ports/manifest-store.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { ReportStore } from '../ports/report-store.js';
import type { Store } from '../ports/store.js';
import { analysisStage } from '../services/analysis/analysis-stage.js';
import { cloningStage } from '../services/cloning/cloning-stage.js';
import { databaseConsumer } from '../services/database/database-service.js';
import type { Chunker } from '../services/rag/chunking/index.js';
import { ragStage } from '../services/rag/rag-stage.js';
import { selectionStage } from '../services/selection/selection-stage.js';
import type { StageDefinition } from '../services/stage/stage-route.js';
import type { ConsumerObserver } from './message-consumer.js';
import { startPipeline, type RunningPipeline } from './pipeline.js';
import { SERVICE_NAMES, type ServiceName } from './service-names.js';

export { parseServiceNames, SERVICE_NAMES, type ServiceName } from './service-names.js';

/** Everything the services need, chosen by the composition root. */
export interface ServiceEnvironment {
  readonly mode: 'embedded' | 'distributed';
  readonly bus: MessageBus;
  readonly admin: BusAdmin;
  /** Kafka only: calls `onRequest` with the API name of each request sent to the brokers. */
  readonly watchBusRequests?: (onRequest: (api: string) => void) => () => void;
  readonly store: Store;
  readonly git: Git;
  readonly manifests: ManifestStore;
  readonly index: ChunkIndex;
  readonly reports: ReportStore;
  /** Loads the tree-sitter grammars on first call, then returns the same chunker. */
  readonly chunker: () => Promise<Chunker>;
  readonly embedder?: Embedder;
  /** Writes the report's summary from RAG context when configured; deterministic without. */
  readonly llm?: Llm;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly version: string;
  /** Closes the bus, the database and the rest, in that order. Safe twice. */
  close(): Promise<void>;
}

export interface StartServicesOptions {
  readonly names?: readonly ServiceName[];
  readonly observer?: ConsumerObserver;
  readonly onStageFinished?: (stage: string, durationMs: number) => void;
}

/** The stages a process runs, in pipeline order, built from the environment's ports. */
export function buildStages(
  env: ServiceEnvironment,
  config: Config,
  names: ReadonlySet<ServiceName> = new Set(SERVICE_NAMES),
): { readonly cloning: StageDefinition | undefined; readonly taskStages: StageDefinition[] } {
  const taskStages: StageDefinition[] = [];
  if (names.has('select')) {
    taskStages.push(
      selectionStage({
        git: env.git,
        manifests: env.manifests,
        store: env.store,
        maxFileBytes: config.maxFileBytes,
        budgetTokens: config.tokenBudget,
      }),
    );
  }
  if (names.has('rag')) {
    taskStages.push(
      ragStage({
        git: env.git,
        manifests: env.manifests,
        index: env.index,
        store: env.store,
        chunker: env.chunker,
        embedder: env.embedder,
      }),
    );
  }
  if (names.has('analyze')) {
    taskStages.push(
      analysisStage({
        git: env.git,
        manifests: env.manifests,
        reports: env.reports,
        store: env.store,
        clock: env.clock,
        repolensVersion: env.version,
        llmSummary: env.llm === undefined ? undefined : { llm: env.llm, index: env.index, embedder: env.embedder },
      }),
    );
  }
  return { cloning: names.has('clone') ? cloningStage({ git: env.git }) : undefined, taskStages };
}

/**
 * Least time between a stage's progress messages: the setting, else 250 ms on the in-process
 * bus (a smooth progress line costs nothing) and 1000 ms on Kafka (each message is a replicated
 * write and a Database Service update; bench:pipeline ran about 8 % faster than with 250 ms).
 */
export function progressIntervalMs(
  config: Pick<Config, 'progressIntervalMs'>,
  mode: ServiceEnvironment['mode'],
): number {
  return config.progressIntervalMs ?? (mode === 'embedded' ? 250 : 1000);
}

export async function startServices(
  env: ServiceEnvironment,
  config: Config,
  options: StartServicesOptions = {},
): Promise<RunningPipeline> {
  const names = new Set(options.names ?? SERVICE_NAMES);
  const { cloning, taskStages } = buildStages(env, config, names);
  return startPipeline({
    cloning,
    taskStages,
    database: names.has('database') ? databaseConsumer({ store: env.store, logger: env.logger }) : undefined,
    runtime: {
      bus: env.bus,
      clock: env.clock,
      logger: env.logger,
      retryDelaysMs: config.retryDelaysMs,
      concurrency: config.consumerConcurrency,
      maxMessageBytes: config.maxMessageBytes,
      observer: options.observer,
    },
    stageRun: {
      onStageFinished: options.onStageFinished,
      progressIntervalMs: progressIntervalMs(config, env.mode),
    },
  });
}
