/**
 * Metrics and alerts for a long-running process (`worker`, `serve`, and `analyze` in embedded
 * mode): the bus is wrapped to count produced messages, the consumer runtime and the stages
 * report into the metrics and the alert evaluator, and a monitor reads lag and the DLQ on an
 * interval. Alert transitions are logged and, when configured, posted to the webhook.
 */
import type { Config } from '../config/schema.js';
import { createAlertEvaluator, type AlertEvaluator } from '../monitoring/alert-evaluator.js';
import { createAlertWebhook } from '../monitoring/alert-webhook.js';
import { createMetrics, instrumentBus, type RepolensMetrics } from '../monitoring/metrics.js';
import { startMonitor, type Monitor } from '../monitoring/monitor.js';
import type { ConsumerObserver } from './message-consumer.js';
import type { ServiceEnvironment } from './services.js';

export interface Observability {
  /** The environment with its bus instrumented: give this one to the services. */
  readonly env: ServiceEnvironment;
  readonly metrics: RepolensMetrics;
  readonly evaluator: AlertEvaluator;
  readonly observer: ConsumerObserver;
  readonly onStageFinished: (stage: string, durationMs: number) => void;
  readonly monitor: Monitor;
  close(): Promise<void>;
}

export function startObservability(env: ServiceEnvironment, config: Config): Observability {
  const metrics = createMetrics();
  const logger = env.logger.child({ component: 'alerts' });
  const webhook =
    config.alertWebhookUrl === undefined ? undefined : createAlertWebhook({ url: config.alertWebhookUrl, logger });
  const deliveries = new Set<Promise<void>>();
  const evaluator = createAlertEvaluator({
    thresholds: {
      lagMessages: config.alertLagMessages,
      errorRatePercent: config.alertErrorRatePercent,
      windowMs: config.alertWindowMs,
      processingTimeMs: config.alertProcessingTimeMs,
      forMs: config.alertForMs,
    },
    clock: env.clock,
    onChange: (changed) => {
      for (const alert of changed) {
        const line = { alert: alert.name, labels: alert.labels, value: alert.value, threshold: alert.threshold };
        if (alert.status === 'firing') logger.warn(line, `alert firing: ${alert.summary}`);
        else logger.info(line, `alert ${alert.status}: ${alert.summary}`);
      }
      if (webhook === undefined) return;
      const delivery = webhook(changed).finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
    },
  });
  const observer: ConsumerObserver = {
    handlerStarted: (topic, groupId) => metrics.observer.handlerStarted(topic, groupId),
    handled: (event) => {
      metrics.observer.handled(event);
      evaluator.recordHandled(event);
    },
  };
  const stopWatchingRequests = env.watchBusRequests?.((api) => metrics.kafkaRequest(api));
  const monitor = startMonitor({
    admin: env.admin,
    metrics,
    evaluator,
    clock: env.clock,
    logger: env.logger.child({ component: 'monitor' }),
    intervalMs: config.monitorIntervalMs,
  });
  return {
    env: { ...env, bus: instrumentBus(env.bus, metrics) },
    metrics,
    evaluator,
    observer,
    onStageFinished: (stage, durationMs) => metrics.stageFinished(stage, durationMs),
    monitor,
    close: async () => {
      await monitor.close();
      stopWatchingRequests?.();
      await Promise.allSettled([...deliveries]);
    },
  };
}
