/** A topic on the in-process broker: its partition logs, its requested replication and its configs. */
import { partitionForKey } from '../../domain/partitioner.js';
import { invalidArgumentError } from './errors.js';
import { PartitionLog } from './partition-log.js';

/** Kafka's broker defaults for the configs BusAdmin promises to report. */
export const DEFAULT_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'retention.ms': String(7 * 24 * 60 * 60 * 1000),
  'min.insync.replicas': '1',
};

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export function validateTopicName(name: string): void {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw invalidArgumentError(
      `invalid topic name "${name}": use 1-249 characters of A-Z a-z 0-9 . _ - (as Kafka does)`,
      { topic: name },
    );
  }
}

export function validatePositiveInteger(what: string, value: number, details: Readonly<Record<string, unknown>>): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidArgumentError(`${what} must be a positive integer, got ${String(value)}`, details);
  }
}

/** Checks the configs the broker interprets; the others are stored as given. */
export function validateTopicConfig(topic: string, config: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(config)) {
    if (typeof value !== 'string') {
      throw invalidArgumentError(`config ${name} of topic "${topic}" must be a string`, { topic, config: name });
    }
  }
  const retention = config['retention.ms'];
  if (retention !== undefined && (!/^-?\d+$/.test(retention) || Number(retention) < -1)) {
    throw invalidArgumentError(
      `config retention.ms of topic "${topic}" must be an integer of ms, or -1 for no limit; got "${retention}"`,
      { topic, config: 'retention.ms' },
    );
  }
}

export interface TopicClock {
  now(): number;
}

export class MemoryTopic {
  readonly logs: PartitionLog[] = [];
  private configValues: Record<string, string>;
  private nullKeyCursor = 0;

  constructor(
    readonly name: string,
    partitions: number,
    readonly replicationFactor: number,
    config: Readonly<Record<string, string>>,
    private readonly clock: TopicClock,
  ) {
    this.configValues = { ...DEFAULT_TOPIC_CONFIG, ...config };
    this.addPartitions(partitions);
  }

  get partitionCount(): number {
    return this.logs.length;
  }

  config(): Readonly<Record<string, string>> {
    return { ...this.configValues };
  }

  alterConfig(config: Readonly<Record<string, string>>): void {
    this.configValues = { ...this.configValues, ...config };
  }

  /** Grows the topic to `partitions` partitions. */
  growTo(partitions: number): void {
    this.addPartitions(partitions - this.logs.length);
  }

  /** Keyed records by murmur2 (as Kafka); records without a key round-robin. */
  partitionFor(key: Buffer | null): number {
    if (key !== null) return partitionForKey(key, this.logs.length);
    const partition = this.nullKeyCursor % this.logs.length;
    this.nullKeyCursor = (this.nullKeyCursor + 1) % this.logs.length;
    return partition;
  }

  log(partition: number): PartitionLog | undefined {
    return this.logs[partition];
  }

  private retentionMs(): number | null {
    const value = Number(this.configValues['retention.ms']);
    return Number.isFinite(value) && value >= 0 ? value : null;
  }

  private addPartitions(count: number): void {
    const policy = { now: () => this.clock.now(), retentionMs: () => this.retentionMs() };
    for (let i = 0; i < count; i++) this.logs.push(new PartitionLog(policy));
  }
}
