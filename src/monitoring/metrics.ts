/**
 * The seed's metrics (throughput, consumer lag, processing time per message, error rate, retry
 * count) on Prometheus conventions with prom-client, in a registry per process (no global
 * state). The consumer runtime reports into `observer`; the bus is wrapped by `instrumentBus` to
 * count what is produced; stages report their durations; the lag collector sets the lag gauge.
 * Every metric is listed with its labels in the README's operations section.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MessageBus } from '../ports/message-bus.js';

/** What the consumer runtime reports (structurally its ConsumerObserver). */
export interface HandledEvent {
  readonly topic: string;
  readonly groupId: string;
  readonly service: string;
  readonly outcome: 'success' | 'retried' | 'dead-lettered' | 'skipped';
  readonly durationMs: number;
  readonly tier: number;
  readonly errorCode?: string;
  readonly started: boolean;
}

export interface RepolensMetrics {
  readonly registry: Registry;
  readonly observer: {
    handlerStarted(topic: string, groupId: string): void;
    handled(event: HandledEvent): void;
  };
  /** `count` messages to `topic` were durably produced. */
  produced(topic: string, count: number): void;
  /** A stage reached progress 100 after `durationMs`. */
  stageFinished(stage: string, durationMs: number): void;
  setLag(group: string, topic: string, partition: number, lag: number): void;
  /** Forgets lag series not set since the last call (partitions that moved away, deleted groups). */
  pruneLag(keep: ReadonlySet<string>): void;
  setDlqSize(messages: number): void;
  /** The process sent a request of this API (Produce, Fetch, ...) to the Kafka brokers. */
  kafkaRequest(api: string): void;
  /** Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Seconds; from a fast status write to the seed's 30 s alert threshold and beyond. */
const HANDLER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const STAGE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export function lagKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}): RepolensMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const consumed = new Counter({
    name: 'repolens_messages_consumed_total',
    help: 'Messages handled by a consumer, by topic, consumer group and outcome',
    labelNames: ['topic', 'group', 'outcome'],
    registers: [registry],
  });
  const produced = new Counter({
    name: 'repolens_messages_produced_total',
    help: 'Messages durably produced, by topic',
    labelNames: ['topic'],
    registers: [registry],
  });
  const handlerSeconds = new Histogram({
    name: 'repolens_message_processing_seconds',
    help: 'Time from a handler starting to its outcome, per service and topic',
    labelNames: ['service', 'topic'],
    buckets: HANDLER_BUCKETS,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'repolens_handler_outcomes_total',
    help: 'Handler outcomes (success, retried, dead-lettered, skipped) by service and error code',
    labelNames: ['service', 'outcome', 'error_code'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'repolens_retries_total',
    help: 'Messages sent to a retry tier, by topic and the tier they came from (0 = main topic)',
    labelNames: ['topic', 'from_tier'],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'repolens_handlers_in_flight',
    help: 'Handlers running now, by topic and consumer group',
    labelNames: ['topic', 'group'],
    registers: [registry],
  });
  const stageSeconds = new Histogram({
    name: 'repolens_stage_duration_seconds',
    help: 'Duration of a pipeline stage for one repository (status at progress 100)',
    labelNames: ['stage'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'kafka_consumergroup_lag',
    help: 'Messages not yet committed by a consumer group: latest offset minus committed offset',
    labelNames: ['consumergroup', 'topic', 'partition'],
    registers: [registry],
  });
  const dlqSize = new Gauge({
    name: 'repolens_dlq_messages',
    help: 'Messages retained in repository.dlq',
    registers: [registry],
  });
  const kafkaRequests = new Counter({
    name: 'repolens_kafka_requests_total',
    help: 'Requests this process sent to the Kafka brokers, by API (Produce, Fetch, OffsetCommit, ...)',
    labelNames: ['api'],
    registers: [registry],
  });
  const lagSeries = new Map<string, { consumergroup: string; topic: string; partition: string }>();

  return {
    registry,
    observer: {
      handlerStarted: (topic, groupId) => inFlight.inc({ topic, group: groupId }),
      handled: (event) => {
        consumed.inc({ topic: event.topic, group: event.groupId, outcome: event.outcome });
        outcomes.inc({ service: event.service, outcome: event.outcome, error_code: event.errorCode ?? '' });
        if (!event.started) return;
        inFlight.dec({ topic: event.topic, group: event.groupId });
        handlerSeconds.observe({ service: event.service, topic: event.topic }, event.durationMs / 1000);
        if (event.outcome === 'retried') retries.inc({ topic: event.topic, from_tier: String(event.tier) });
      },
    },
    produced: (topic, count) => produced.inc({ topic }, count),
    stageFinished: (stage, durationMs) => stageSeconds.observe({ stage }, durationMs / 1000),
    setLag: (group, topic, partition, value) => {
      const labels = { consumergroup: group, topic, partition: String(partition) };
      lagSeries.set(lagKey(group, topic, partition), labels);
      lag.set(labels, value);
    },
    pruneLag: (keep) => {
      for (const [key, labels] of lagSeries) {
        if (keep.has(key)) continue;
        lag.remove(labels);
        lagSeries.delete(key);
      }
    },
    setDlqSize: (messages) => dlqSize.set(messages),
    kafkaRequest: (api) => kafkaRequests.inc({ api }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Counts every message the bus durably produced (after `produce` resolved). */
export function instrumentBus(bus: MessageBus, metrics: Pick<RepolensMetrics, 'produced'>): MessageBus {
  return {
    produce: async (messages) => {
      await bus.produce(messages);
      const byTopic = new Map<string, number>();
      for (const message of messages) byTopic.set(message.topic, (byTopic.get(message.topic) ?? 0) + 1);
      for (const [topic, count] of byTopic) metrics.produced(topic, count);
    },
    subscribe: (options) => bus.subscribe(options),
    close: () => bus.close(),
  };
}
