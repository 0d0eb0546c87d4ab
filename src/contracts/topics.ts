/**
 * The seed's topics and their configuration (seed: "Configuration" and "Error Handling").
 * Everything that creates, describes or documents a topic reads it from here.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export const Topics = {
  discovery: 'repository.discovery',
  tasks: 'repository.tasks',
  status: 'repository.status',
  dlq: 'repository.dlq',
} as const;

export type MessageTopic = typeof Topics.discovery | typeof Topics.tasks | typeof Topics.status;
export type TopicName = (typeof Topics)[keyof typeof Topics];

/**
 * Largest message repolens handles. Bigger ones are dead-lettered by the consumer, not dropped.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Topics accept records up to 4 MiB, above MAX_MESSAGE_BYTES, so that an oversized message
 * written by some other producer still reaches a consumer, which dead-letters it with the reason
 * instead of the broker rejecting it where nobody looks. DLQ records (the original bytes plus
 * headers) fit as well.
 */
export const TOPIC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The seed asks for 3 replicas of every topic. */
export const SEED_REPLICATION_FACTOR = 3;
/** With 3 replicas, acks=all waits for 2 of them: one broker may be down without losing writes. */
export const SEED_MIN_INSYNC_REPLICAS = 2;

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  readonly purpose: string;
}

export const MESSAGE_TOPIC_SPECS: Readonly<Record<MessageTopic, TopicSpec>> = {
  [Topics.discovery]: {
    name: Topics.discovery,
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    purpose: 'New repositories discovered for analysis',
  },
  [Topics.tasks]: {
    name: Topics.tasks,
    partitions: 5,
    retentionMs: 14 * DAY_MS,
    purpose: 'Tasks for repository processing',
  },
  [Topics.status]: {
    name: Topics.status,
    partitions: 3,
    retentionMs: 30 * DAY_MS,
    purpose: 'Status updates for repository processing',
  },
};

export const DLQ_TOPIC_SPEC: TopicSpec = {
  name: Topics.dlq,
  // The seed gives the DLQ no partition count; 5 matches the widest source topic so a replay
  // of everything can be read with the same parallelism it was produced with.
  partitions: 5,
  retentionMs: 30 * DAY_MS,
  purpose: 'Store messages that failed processing',
};

/**
 * Retry tiers (seed: max 3 retries, exponential backoff 1 min, 5 min, 15 min). Tier topic names
 * carry the seed's delays; the delays actually waited come from configuration (tests use ms).
 */
export const RETRY_TIERS = [
  { tier: 1, suffix: '1m', defaultDelayMs: 60_000 },
  { tier: 2, suffix: '5m', defaultDelayMs: 300_000 },
  { tier: 3, suffix: '15m', defaultDelayMs: 900_000 },
] as const;

export type RetryTier = (typeof RETRY_TIERS)[number];
export const MAX_RETRIES = RETRY_TIERS.length;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = RETRY_TIERS.map((t) => t.defaultDelayMs);

export function retryTopicName(topic: MessageTopic, tier: RetryTier): string {
  return `${topic}.retry.${tier.suffix}`;
}

/** Tier topics mirror their source topic's partitions and retention. */
export function retryTopicSpecs(): TopicSpec[] {
  return Object.values(MESSAGE_TOPIC_SPECS).flatMap((source) =>
    RETRY_TIERS.map((tier) => ({
      name: retryTopicName(source.name as MessageTopic, tier),
      partitions: source.partitions,
      retentionMs: source.retentionMs,
      purpose: `Retry tier ${tier.tier} (${tier.suffix}) for ${source.name}`,
    })),
  );
}

/** Every topic repolens uses, in a stable order: seed topics, DLQ, then retry tiers. */
export function allTopicSpecs(): TopicSpec[] {
  return [...Object.values(MESSAGE_TOPIC_SPECS), DLQ_TOPIC_SPEC, ...retryTopicSpecs()];
}

export interface TopicPlanEntry {
  readonly name: string;
  readonly partitions: number;
  readonly replication_factor: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface TopicPlan {
  readonly topics: readonly TopicPlanEntry[];
  /** Set when the cluster is too small for the seed's replication factor. */
  readonly warning?: string;
}

/**
 * The topics as they should exist on a cluster of `brokerCount` brokers. Below 3 brokers the
 * replication factor drops to the broker count (development clusters) and a warning says so.
 */
export function planTopics(brokerCount: number = SEED_REPLICATION_FACTOR): TopicPlan {
  if (!Number.isInteger(brokerCount) || brokerCount < 1) {
    throw new RangeError(`broker count must be a positive integer, got ${String(brokerCount)}`);
  }
  const replication = Math.min(SEED_REPLICATION_FACTOR, brokerCount);
  const minInsync = replication >= SEED_REPLICATION_FACTOR ? SEED_MIN_INSYNC_REPLICAS : 1;
  const topics = allTopicSpecs().map((spec) => ({
    name: spec.name,
    partitions: spec.partitions,
    replication_factor: replication,
    config: {
      'retention.ms': String(spec.retentionMs),
      'min.insync.replicas': String(minInsync),
      'max.message.bytes': String(TOPIC_MAX_MESSAGE_BYTES),
    },
  }));
  if (replication < SEED_REPLICATION_FACTOR) {
    return {
      topics,
      warning:
        `replication factor ${replication} (cluster has ${brokerCount} broker(s)); the seed ` +
        `asks for ${SEED_REPLICATION_FACTOR}: use at least ${SEED_REPLICATION_FACTOR} brokers in production`,
    };
  }
  return { topics };
}
