/** Options of the Kafka adapters, their defaults and the checks run once at construction. */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { silentLogger, type BusLogger } from './logger.js';

export interface KafkaBusOptions {
  /** `host:port` of one or more brokers; the rest are discovered. */
  readonly brokers: readonly string[];
  /** Client id prefix; each Kafka client adds a suffix (`-producer`, `-<group>` …). */
  readonly clientId: string;
  /** A member that misses heartbeats this long is removed from its group (default 30 s). */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat period; also how fast a member notices a rebalance (default 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** How long the coordinator waits for members to rejoin during a rebalance (default 60 s). */
  readonly rebalanceTimeoutMs?: number;
  /**
   * Longest a fetch waits at the broker for new data (default 2 s). A message that arrives ends
   * the wait at once, so this only sets how often an idle member asks again, and how long a
   * partition assigned while a fetch is out waits for it (requests on one connection are served
   * in order). Kafka's clients use 500 ms; at that rate the three groups of two idle workers sent
   * the brokers 18 fetches a second.
   */
  readonly fetchMaxWaitMs?: number;
  /** Most fetched messages waiting for a handler per subscription (default 1000). */
  readonly maxBufferedMessages?: number;
  /**
   * How long a finished message may wait to be committed with the next ones (default 1000 ms;
   * 0 commits after every completion). A crash redelivers at most this much more. Each commit is
   * a replicated write on the brokers: with 100 ms a repository cost 4.6 OffsetCommits in
   * bench:pipeline (a tenth of the workers' requests), with 1000 ms 1.3. Kafka's Java
   * consumer commits every 5 s.
   */
  readonly commitIntervalMs?: number;
  /** How long `produce` keeps retrying while the cluster is unavailable (default 30 s). */
  readonly produceTimeoutMs?: number;
  /** How often a member checks its topics' partition counts and rejoins on a change (default 30 s). */
  readonly partitionCheckIntervalMs?: number;
  /** How old cached cluster metadata may get before a client asks again (default 60 s); see below. */
  readonly metadataMaxAgeMs?: number;
  readonly logger?: BusLogger;
}

export interface KafkaBusAdminOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly metadataMaxAgeMs?: number;
  readonly logger?: BusLogger;
}

/**
 * Cached metadata (leaders, partition counts) is refreshed on demand: every client here clears
 * it when a request fails with a stale-metadata error (a leader moved, a broker left) and asks
 * again. The age limit only bounds how late a change nobody tripped over is seen, such as added
 * partitions reaching a producer (members check partition counts themselves). The library's 5 s
 * made each of a worker's two dozen clients ask every few seconds while idle; Kafka's own
 * clients use 5 minutes.
 */
export const DEFAULT_METADATA_MAX_AGE_MS = 60_000;

export function metadataMaxAge(options: { readonly metadataMaxAgeMs?: number | undefined }): number {
  return positive('metadataMaxAgeMs', options.metadataMaxAgeMs, DEFAULT_METADATA_MAX_AGE_MS);
}

export interface ResolvedKafkaBusOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly fetchMaxWaitMs: number;
  readonly maxBufferedMessages: number;
  readonly commitIntervalMs: number;
  readonly produceTimeoutMs: number;
  readonly partitionCheckIntervalMs: number;
  readonly metadataMaxAgeMs: number;
  readonly logger: BusLogger;
}

function invalid(setting: string, message: string): RepolensError {
  return new RepolensError(ErrorCodes.configInvalid, `bus-kafka ${setting}: ${message}`, { details: { setting } });
}

function positive(setting: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved <= 0)
    throw invalid(setting, `must be a positive integer, got ${String(value)}`);
  return resolved;
}

function nonNegative(setting: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 0)
    throw invalid(setting, `must be a non-negative integer, got ${String(value)}`);
  return resolved;
}

export function checkConnection(options: { brokers: readonly string[]; clientId: string }): void {
  if (options.brokers.length === 0) throw invalid('brokers', 'at least one broker is required');
  for (const broker of options.brokers) {
    if (!/^[^\s:]+:\d+$/.test(broker)) throw invalid('brokers', `expected host:port, got "${broker}"`);
  }
  if (options.clientId.trim() === '') throw invalid('clientId', 'must not be empty');
}

export function resolveBusOptions(options: KafkaBusOptions): ResolvedKafkaBusOptions {
  checkConnection(options);
  const sessionTimeoutMs = positive('sessionTimeoutMs', options.sessionTimeoutMs, 30_000);
  const heartbeatIntervalMs = positive(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs,
    Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
  );
  const rebalanceTimeoutMs = positive(
    'rebalanceTimeoutMs',
    options.rebalanceTimeoutMs,
    Math.max(60_000, sessionTimeoutMs),
  );
  // The library validates these relations too, but with a message about JSON paths.
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw invalid('heartbeatIntervalMs', 'must be below sessionTimeoutMs');
  if (rebalanceTimeoutMs < sessionTimeoutMs) throw invalid('rebalanceTimeoutMs', 'must be at least sessionTimeoutMs');
  return {
    brokers: [...options.brokers],
    clientId: options.clientId,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs,
    fetchMaxWaitMs: positive('fetchMaxWaitMs', options.fetchMaxWaitMs, 2_000),
    maxBufferedMessages: positive('maxBufferedMessages', options.maxBufferedMessages, 1000),
    commitIntervalMs: nonNegative('commitIntervalMs', options.commitIntervalMs, 1000),
    produceTimeoutMs: positive('produceTimeoutMs', options.produceTimeoutMs, 30_000),
    partitionCheckIntervalMs: positive('partitionCheckIntervalMs', options.partitionCheckIntervalMs, 30_000),
    metadataMaxAgeMs: metadataMaxAge(options),
    logger: (options.logger ?? silentLogger).child({ module: 'bus-kafka' }),
  };
}
