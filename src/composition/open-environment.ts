/**
 * Part of the composition root (only src/main.ts imports it): picks the adapters for a service
 * environment from the configuration. Embedded: in-process bus with its topics, PGlite in the
 * data directory unless a database URL is configured. Distributed: Kafka (namespaced by the
 * topic prefix) and PostgreSQL. Both: the git workspace, the stores on the one database, the
 * chunker (grammars loaded on first use), the embedder and the LLM when they are configured.
 */
import { join, resolve } from 'node:path';
import { createMemoryBroker, createMemoryBus, createMemoryBusAdmin } from '../adapters/bus-memory/index.js';
import { createEmbedder } from '../adapters/embedder-openai/index.js';
import { createOllamaEmbedder } from '../adapters/embedder-ollama/index.js';
import { createGitCli } from '../adapters/git-cli/index.js';
import {
  createSqlChunkIndex,
  createSqlManifestStore,
  createSqlReportStore,
  createSqlStore,
  type SqlDatabase,
} from '../adapters/sql/index.js';
import { openPgliteDatabase } from '../adapters/store-pglite/index.js';
import { openPostgresDatabase } from '../adapters/store-postgres/index.js';
import { systemClock } from '../adapters/system/system-clock.js';
import type { CliDeps, EnvironmentOptions, KafkaConnection, StoreViews } from '../cli/deps.js';
import type { Config } from '../config/schema.js';
import { ErrorCodes, RepolensError } from '../domain/errors.js';
import type { Embedder } from '../ports/embedder.js';
import type { Llm } from '../ports/llm.js';
import type { Logger } from '../ports/logger.js';
import { createChunker, type Chunker } from '../services/rag/chunking/index.js';
import type { ServiceEnvironment } from '../runtime/services.js';
import { assertNoRefusals, ensureTopics } from '../runtime/topic-provisioning.js';

export interface EnvironmentDeps {
  readonly version: string;
  readonly logger: Logger;
  readonly connectKafka: CliDeps['connectKafka'];
}

export async function openDatabase(config: Config): Promise<SqlDatabase> {
  const database =
    config.databaseUrl === undefined
      ? await openPgliteDatabase({ dataDir: join(config.dataDir, 'db') })
      : openPostgresDatabase({ connectionString: config.databaseUrl });
  try {
    await database.migrate();
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** The services' stores on one database, for commands that only read (report, search, files). */
export async function openStores(config: Config): Promise<StoreViews> {
  const database = await openDatabase(config);
  return {
    manifests: createSqlManifestStore(database.executor),
    reports: createSqlReportStore(database.executor),
    index: createSqlChunkIndex(database.executor),
    embedder: embedderFor(config),
    close: () => database.close(),
  };
}

/**
 * `host=user:token,...` (REPOLENS_GIT_CREDENTIALS) as the git adapter's credentials lookup. A
 * malformed entry stops the start with the setting named, never with the secret echoed.
 */
export function gitCredentialsFor(
  setting: string | undefined,
): ((url: URL) => { username: string; password: string } | undefined) | undefined {
  if (setting === undefined) return undefined;
  const byHost = new Map<string, { username: string; password: string }>();
  for (const [index, entry] of setting.split(',').entries()) {
    const match = /^\s*([^=\s]+)=([^:]+):(.+?)\s*$/.exec(entry);
    if (match === null) {
      throw new RepolensError(
        ErrorCodes.configInvalid,
        `gitCredentials entry ${index + 1} is not host=user:token (REPOLENS_GIT_CREDENTIALS)`,
      );
    }
    byHost.set((match[1] ?? '').toLowerCase(), { username: match[2] ?? '', password: match[3] ?? '' });
  }
  return (url) => byHost.get(url.host.toLowerCase()) ?? byHost.get(url.hostname.toLowerCase());
}

function embedderFor(config: Config): Embedder | undefined {
  if (config.embedderUrl === undefined) return undefined;
  const model = config.embedderModel ?? 'nomic-embed-text';
  return config.embedderApi === 'ollama'
    ? createOllamaEmbedder({ baseUrl: config.embedderUrl, model })
    : createEmbedder({ baseUrl: config.embedderUrl, model, apiKey: config.embedderApiKey });
}

/** The summary's model, when `llmUrl` is set; its adapter is loaded only then. */
async function llmFor(config: Config): Promise<Llm | undefined> {
  if (config.llmUrl === undefined || config.llmModel === undefined) return undefined;
  const { createLlm } = await import('../adapters/llm-openai/index.js');
  return createLlm({
    baseUrl: config.llmUrl,
    model: config.llmModel,
    apiKey: config.llmApiKey,
    timeoutMs: config.llmTimeoutMs,
  });
}

async function openBus(config: Config, options: EnvironmentOptions, deps: EnvironmentDeps): Promise<KafkaConnection> {
  if (options.mode === 'embedded') {
    const broker = createMemoryBroker();
    const admin = createMemoryBusAdmin(broker);
    assertNoRefusals(await ensureTopics(admin));
    const bus = createMemoryBus(broker);
    return { bus, admin, close: () => bus.close() };
  }
  const kafka: KafkaConnection = await deps.connectKafka(config);
  return kafka;
}

export async function openEnvironment(
  config: Config,
  options: EnvironmentOptions,
  deps: EnvironmentDeps,
): Promise<ServiceEnvironment> {
  const llm = await llmFor(config);
  const database = await openDatabase(config);
  let bus: Awaited<ReturnType<typeof openBus>>;
  try {
    bus = await openBus(config, options, deps);
  } catch (error) {
    await database.close();
    throw error;
  }
  const git = createGitCli({
    workspaceDir: resolve(config.workspaceDir ?? join(config.dataDir, 'workspace')),
    timeoutMs: config.cloneTimeoutMs,
    maxRepositoryBytes: config.maxRepositoryBytes,
    maxFiles: config.maxRepositoryFiles,
    allowedProtocols: config.gitProtocols,
    allowLocal: options.allowLocal,
    credentials: gitCredentialsFor(config.gitCredentials),
    logger: deps.logger.child({ component: 'git' }),
    housekeeping: {
      maxWorkspaceBytes: config.workspaceMaxBytes,
      ttlMs: config.workspaceTtlMs,
      intervalMs: config.workspaceHousekeepingIntervalMs,
    },
  });
  let chunker: Promise<Chunker> | undefined;
  let closing: Promise<void> | undefined;
  return {
    mode: options.mode,
    bus: bus.bus,
    admin: bus.admin,
    watchBusRequests: bus.watchRequests,
    store: createSqlStore(database),
    git,
    manifests: createSqlManifestStore(database.executor),
    index: createSqlChunkIndex(database.executor),
    reports: createSqlReportStore(database.executor),
    chunker: () => (chunker ??= createChunker()),
    embedder: embedderFor(config),
    llm,
    clock: systemClock,
    logger: deps.logger,
    version: deps.version,
    close: () => {
      closing ??= (async () => {
        try {
          await bus.close();
          await git.close();
        } finally {
          await database.close();
        }
      })();
      return closing;
    },
  };
}
