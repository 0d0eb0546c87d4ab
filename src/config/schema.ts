/**
 * Every setting repolens has, with its default and its environment variable, in one place.
 * Units are in the names. Precedence: flags > environment > config file > defaults.
 */
import { z } from 'zod';
import { DEFAULT_RETRY_DELAYS_MS, MAX_MESSAGE_BYTES, RETRY_TIERS } from '../contracts/topics.js';

const brokerAddress = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port');

export const ConfigSchema = z.strictObject({
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
  /** Handlers running at once per consumer; same-repository messages never run concurrently. */
  consumerConcurrency: z.int().min(1).max(256).default(4),
  /** How long in-flight handlers may finish on shutdown before they are aborted. */
  shutdownGraceMs: z.int().min(0).default(30_000),
  /** Consumed messages above this size are dead-lettered. */
  maxMessageBytes: z
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(MAX_MESSAGE_BYTES),
  databaseUrl: z.string().optional(),
  dataDir: z.string().min(1).default('.repolens'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  REPOLENS_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  REPOLENS_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  DATABASE_URL: 'databaseUrl',
  REPOLENS_DATA_DIR: 'dataDir',
  REPOLENS_LOG_LEVEL: 'logLevel',
} as const satisfies Record<string, keyof Config>;
