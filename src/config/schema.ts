/**
 * Every setting repolens has, with its default and its environment variable, in one place.
 * Units are in the names. Precedence: flags > environment > config file > defaults.
 */
import { z } from 'zod';
import { DEFAULT_RETRY_DELAYS_MS, MAX_MESSAGE_BYTES, RETRY_TIERS } from '../contracts/topics.js';

const brokerAddress = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port');

export const ConfigSchema = z
  .strictObject({
    /** Kafka bootstrap brokers; empty means embedded mode (in-process bus). */
    brokers: z.array(brokerAddress).default([]),
    clientId: z.string().min(1).default('repolens'),
    /** Prefix for every topic and group name, so installations can share a cluster. */
    topicPrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, "may only contain letters, digits, '.', '_' and '-'")
      .default(''),
    /** Delay before each retry tier; the seed's 1, 5 and 15 minutes by default. */
    retryDelaysMs: z
      .array(z.int().min(0))
      .length(RETRY_TIERS.length, `needs exactly ${RETRY_TIERS.length} delays (one per retry tier)`)
      .default([...DEFAULT_RETRY_DELAYS_MS]),
    /** A worker that stops heartbeating this long leaves its group and its partitions move on. */
    kafkaSessionTimeoutMs: z.int().min(3000).max(300_000).default(30_000),
    /**
     * A new repository (a discovery or `pending` task) starts only while fewer stages than this
     * run in the process; also the handlers per consumer, twice that on the tasks topic so that
     * the next stage of a repository under way finds a free one (runtime/pipeline.ts).
     * Same-repository messages never run concurrently.
     */
    consumerConcurrency: z.int().min(1).max(256).default(8),
    /** How long in-flight handlers may finish on shutdown before they are aborted. */
    shutdownGraceMs: z.int().min(0).default(30_000),
    /**
     * Least time between two progress status messages of one stage (the first and the 100 % one
     * always go). Unset: 250 ms on the in-process bus, 1000 ms on Kafka, where each message costs
     * the brokers and the Database Service.
     */
    progressIntervalMs: z.int().min(0).max(60_000).optional(),
    /** Consumed messages above this size are dead-lettered. */
    maxMessageBytes: z
      .int()
      .min(1024)
      .max(4 * 1024 * 1024)
      .default(MAX_MESSAGE_BYTES),
    databaseUrl: z.string().optional(),
    dataDir: z.string().min(1).default('.repolens'),
    /** Where clones live, one directory per repository (DESIGN.md §2). Default: `<dataDir>/workspace`. */
    workspaceDir: z.string().min(1).optional(),
    /** Longest a clone or fetch may take before git is killed. */
    cloneTimeoutMs: z.int().min(1000).default(600_000),
    /** Largest repository cloned; enforced while cloning. */
    maxRepositoryBytes: z
      .int()
      .min(1)
      .default(2 * 1024 ** 3),
    /** Most files at HEAD a repository may have. */
    maxRepositoryFiles: z.int().min(1).default(200_000),
    /** Protocols git may use for remote repositories (`file` only matters for local sources). */
    gitProtocols: z
      .array(z.enum(['https', 'http', 'ssh', 'git']))
      .min(1)
      .default(['https', 'ssh', 'git']),
    /**
     * Credentials for private http(s) repositories, per host: `host=user:token,other.host=user:token`.
     * They reach git only as an HTTP header in its environment, never in a URL, argv, log or message.
     */
    gitCredentials: z.string().min(1).optional(),
    /** Workspace size budget; the least recently used finished checkouts are removed beyond it. */
    workspaceMaxBytes: z
      .int()
      .min(0)
      .default(20 * 1024 ** 3),
    /** Finished checkouts unused this long are removed. */
    workspaceTtlMs: z
      .int()
      .min(0)
      .default(7 * 86_400_000),
    /** Least time between two housekeeping walks (TTL, budget) of one process over its workspace. */
    workspaceHousekeepingIntervalMs: z
      .int()
      .min(0)
      .default(15 * 60_000),
    /** Discovery skips a repository analysed less than this long ago (unless forced). */
    revisitIntervalMs: z
      .int()
      .min(0)
      .default(7 * 86_400_000),
    /** Files above this size are excluded from selection (`too_large`). */
    maxFileBytes: z
      .int()
      .min(1)
      .default(1024 * 1024),
    /** Token budget for a repository's selection; the best-ranked files are kept within it. */
    tokenBudget: z.int().min(1).optional(),
    /** Embedding service for hybrid search; without one, search is lexical. */
    embedderUrl: z.url().optional(),
    embedderModel: z.string().min(1).optional(),
    /** `openai`: any OpenAI-compatible /embeddings endpoint; `ollama`: Ollama's native /api/embed. */
    embedderApi: z.enum(['openai', 'ollama']).default('openai'),
    embedderApiKey: z.string().min(1).optional(),
    /**
     * OpenAI-compatible chat endpoint (`…/v1`) that writes the report's summary from RAG context;
     * without one the summary is deterministic. What it is sent: README lines and indexed chunks.
     */
    llmUrl: z.url().optional(),
    /** The chat model; required with `llmUrl` (no model name is right for every server). */
    llmModel: z.string().min(1).optional(),
    llmApiKey: z.string().min(1).optional(),
    /** Longest one chat request may take (it is retried twice on timeouts, 429 and 5xx). */
    llmTimeoutMs: z.int().min(1000).default(120_000),
    /** HTTP API port for `repolens serve`. */
    port: z.int().min(0).max(65_535).default(8080),
    /** API key required by mutating HTTP endpoints when set. */
    apiKey: z.string().min(1).optional(),
    /** Port for Prometheus `/metrics` on `repolens worker`; none when unset. */
    metricsPort: z.int().min(0).max(65_535).optional(),
    /** Alert: consumer lag above this many messages (per group and topic). */
    alertLagMessages: z.int().min(0).default(1000),
    /** Alert: share of failed messages above this percentage over the window. */
    alertErrorRatePercent: z.number().min(0).max(100).default(5),
    /** Window of the error-rate and processing-time alerts. */
    alertWindowMs: z.int().min(1000).default(300_000),
    /** Alert: 95th percentile processing time per message above this. */
    alertProcessingTimeMs: z.int().min(1).default(30_000),
    /** How long an alert's condition must hold before it fires. */
    alertForMs: z.int().min(0).default(60_000),
    /** Alert transitions are POSTed here in Alertmanager's webhook format. */
    alertWebhookUrl: z.url().optional(),
    /** How often lag and the DLQ size are read and the alerts evaluated. */
    monitorIntervalMs: z.int().min(100).default(15_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((config, context) => {
    if (config.llmUrl !== undefined && config.llmModel === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['llmModel'],
        message: 'is required when llmUrl is set (REPOLENS_LLM_MODEL), e.g. llama3.2 for Ollama',
      });
    }
  });

export type Config = Readonly<z.infer<typeof ConfigSchema>>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable → setting. Values are parsed by `fromEnvironment`. */
export const ENVIRONMENT_VARIABLES = {
  REPOLENS_BROKERS: 'brokers',
  REPOLENS_CLIENT_ID: 'clientId',
  REPOLENS_TOPIC_PREFIX: 'topicPrefix',
  REPOLENS_RETRY_DELAYS_MS: 'retryDelaysMs',
  REPOLENS_CONSUMER_CONCURRENCY: 'consumerConcurrency',
  REPOLENS_KAFKA_SESSION_TIMEOUT_MS: 'kafkaSessionTimeoutMs',
  REPOLENS_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  REPOLENS_PROGRESS_INTERVAL_MS: 'progressIntervalMs',
  REPOLENS_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  DATABASE_URL: 'databaseUrl',
  REPOLENS_DATA_DIR: 'dataDir',
  REPOLENS_LOG_LEVEL: 'logLevel',
  REPOLENS_WORKSPACE: 'workspaceDir',
  REPOLENS_CLONE_TIMEOUT_MS: 'cloneTimeoutMs',
  REPOLENS_MAX_REPOSITORY_BYTES: 'maxRepositoryBytes',
  REPOLENS_MAX_REPOSITORY_FILES: 'maxRepositoryFiles',
  REPOLENS_GIT_PROTOCOLS: 'gitProtocols',
  REPOLENS_GIT_CREDENTIALS: 'gitCredentials',
  REPOLENS_WORKSPACE_MAX_BYTES: 'workspaceMaxBytes',
  REPOLENS_WORKSPACE_TTL_MS: 'workspaceTtlMs',
  REPOLENS_WORKSPACE_HOUSEKEEPING_INTERVAL_MS: 'workspaceHousekeepingIntervalMs',
  REPOLENS_REVISIT_INTERVAL_MS: 'revisitIntervalMs',
  REPOLENS_MAX_FILE_BYTES: 'maxFileBytes',
  REPOLENS_TOKEN_BUDGET: 'tokenBudget',
  REPOLENS_EMBEDDER_URL: 'embedderUrl',
  REPOLENS_EMBEDDER_MODEL: 'embedderModel',
  REPOLENS_EMBEDDER_API: 'embedderApi',
  REPOLENS_EMBEDDER_API_KEY: 'embedderApiKey',
  REPOLENS_LLM_URL: 'llmUrl',
  REPOLENS_LLM_MODEL: 'llmModel',
  REPOLENS_LLM_API_KEY: 'llmApiKey',
  REPOLENS_LLM_TIMEOUT_MS: 'llmTimeoutMs',
  REPOLENS_PORT: 'port',
  REPOLENS_API_KEY: 'apiKey',
  REPOLENS_METRICS_PORT: 'metricsPort',
  REPOLENS_ALERT_LAG_MESSAGES: 'alertLagMessages',
  REPOLENS_ALERT_ERROR_RATE_PERCENT: 'alertErrorRatePercent',
  REPOLENS_ALERT_WINDOW_MS: 'alertWindowMs',
  REPOLENS_ALERT_PROCESSING_TIME_MS: 'alertProcessingTimeMs',
  REPOLENS_ALERT_FOR_MS: 'alertForMs',
  REPOLENS_ALERT_WEBHOOK_URL: 'alertWebhookUrl',
  REPOLENS_MONITOR_INTERVAL_MS: 'monitorIntervalMs',
} as const satisfies Record<string, keyof Config>;

/** Settings whose values are secrets: `repolens config print` masks them. */
export const SECRET_SETTINGS: ReadonlySet<keyof Config> = new Set<keyof Config>([
  'embedderApiKey',
  'llmApiKey',
  'apiKey',
  'gitCredentials',
]);
