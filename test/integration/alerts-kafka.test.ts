/**
 * The seed's three alerts on the real cluster (issue 10): lag above the threshold while the
 * consumers are stopped, an error rate above 5 % from a failing handler, and processing time
 * above the threshold from a slow handler each fire and then resolve, and the webhook (a real
 * local HTTP server) receives Alertmanager payloads. Then a real Prometheus scrapes the metrics
 * endpoint and its generated rules fire for induced lag. Thresholds are lowered for the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import { silentLogger } from '../../src/adapters/system/silent-logger.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { ConsumerGroups } from '../../src/contracts/consumer-groups.js';
import { Topics } from '../../src/contracts/topics.js';
import { encodeMessage } from '../../src/contracts/validation.js';
import { RepolensError } from '../../src/domain/errors.js';
import { createAlertEvaluator, type AlertEvaluator } from '../../src/monitoring/alert-evaluator.js';
import { prometheusRulesYaml, type AlertThresholds } from '../../src/monitoring/alert-rules.js';
import { createAlertWebhook, type AlertmanagerPayload } from '../../src/monitoring/alert-webhook.js';
import { createMetrics, type RepolensMetrics } from '../../src/monitoring/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/monitoring/metrics-server.js';
import { startMonitor, type Monitor } from '../../src/monitoring/monitor.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus, OutgoingMessage } from '../../src/ports/message-bus.js';
import type { MessageRoute } from '../../src/ports/message-route.js';
import { startConsumer, type RunningConsumer } from '../../src/runtime/message-consumer.js';
import { createNamespace, namespacedAdmin, namespacedBus } from '../../src/runtime/namespace.js';
import { ensureTopics } from '../../src/runtime/topic-provisioning.js';
import { runCli } from '../support/cli.js';
import { kafkaBrokers, uniqueName } from '../support/kafka.js';
import { eventually } from '../support/wait.js';

const thresholds: AlertThresholds = {
  lagMessages: 50,
  errorRatePercent: 5,
  windowMs: 4_000,
  processingTimeMs: 300,
  forMs: 500,
};

let rawBus: MessageBus;
let rawAdmin: BusAdmin;
let bus: MessageBus;
let admin: BusAdmin;
let hook: Server;
let hookUrl: string;
let prefix: string;
const payloads: AlertmanagerPayload[] = [];

beforeAll(async () => {
  rawBus = createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName('alerts') });
  rawAdmin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('alerts-admin') });
  prefix = `${uniqueName('alerts')}.`;
  const namespace = createNamespace(prefix);
  bus = namespacedBus(rawBus, namespace);
  admin = namespacedAdmin(rawAdmin, namespace);
  await ensureTopics(admin);
  hook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      payloads.push(JSON.parse(body) as AlertmanagerPayload);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await rawAdmin?.close();
  await new Promise<void>((resolve) => hook?.close(() => resolve()));
});

interface Watch {
  readonly metrics: RepolensMetrics;
  readonly evaluator: AlertEvaluator;
  readonly monitor: Monitor;
}

/** Metrics, evaluator (posting to the webhook) and a monitor ticking every 200 ms. */
function watch(): Watch {
  const metrics = createMetrics({ defaultMetrics: false });
  const post = createAlertWebhook({ url: hookUrl, logger: silentLogger });
  const evaluator = createAlertEvaluator({
    thresholds,
    clock: systemClock,
    onChange: (changed) => void post(changed),
  });
  const monitor = startMonitor({
    admin,
    metrics,
    evaluator,
    clock: systemClock,
    logger: silentLogger,
    intervalMs: 200,
  });
  return { metrics, evaluator, monitor };
}

function statusMessages(count: number, prefix: string): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const url = `https://git.example.test/${prefix}/repo-${i}`;
    return {
      topic: Topics.status,
      key: url,
      value: encodeMessage(Topics.status, {
        repository_url: url,
        status: 'cloning',
        timestamp: new Date().toISOString(),
        details: { progress: 0, stage_duration: 0 },
      }),
    };
  });
}

function taskMessages(count: number, prefix: string): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const url = `https://git.example.test/${prefix}/repo-${i}`;
    return {
      topic: Topics.tasks,
      key: url,
      value: encodeMessage(Topics.tasks, {
        task_id: crypto.randomUUID(),
        repository_url: url,
        task_type: 'select_files',
        created_at: new Date().toISOString(),
        status: 'pending',
        metadata: { priority: 3, retry_count: 0 },
      }),
    };
  });
}

async function consume<T extends typeof Topics.status | typeof Topics.tasks>(
  topic: T,
  route: MessageRoute<T>,
  observer: Watch,
): Promise<RunningConsumer> {
  const groupId = topic === Topics.status ? ConsumerGroups.status : ConsumerGroups.tasks;
  return startConsumer(
    { topic, groupId, routes: [route] },
    {
      bus,
      clock: systemClock,
      logger: silentLogger,
      retryDelaysMs: [60_000, 60_000, 60_000],
      concurrency: 8,
      observer: {
        handlerStarted: (t, g) => observer.metrics.observer.handlerStarted(t, g),
        handled: (event) => {
          observer.metrics.observer.handled(event);
          observer.evaluator.recordHandled(event);
        },
      },
    },
  );
}

const firing = (w: Watch, name: string): boolean =>
  w.evaluator.alerts().some((a) => a.name === name && a.status === 'firing');
const resolved = (w: Watch, name: string): boolean =>
  w.evaluator.alerts().some((a) => a.name === name && a.status === 'resolved');
const delivered = (name: string, status: 'firing' | 'resolved'): boolean =>
  payloads.some((p) => p.alerts.some((a) => a.labels['alertname'] === name && a.status === status));

describe('the seed alerts on the real cluster', () => {
  it('consumer lag above the threshold fires while consumers are stopped and resolves once they catch up', async () => {
    const w = watch();
    const quiet: MessageRoute<typeof Topics.status> = {
      service: 'database',
      accepts: () => true,
      handle: async () => {},
    };
    try {
      let consumer = await consume(Topics.status, quiet, w);
      await bus.produce(statusMessages(3, 'warmup'));
      await eventually('the group committed', async () =>
        (await w.monitor.tick()).some(
          (r) => r.group === ConsumerGroups.status && r.committed !== null && r.lag === 0 && r.latest > 0n,
        ),
      );
      await consumer.close(1000);

      await bus.produce(statusMessages(120, 'backlog'));
      await eventually('lag alert firing', () => firing(w, 'RepolensConsumerLagHigh'), 30_000);
      const alert = w.evaluator.alerts().find((a) => a.name === 'RepolensConsumerLagHigh');
      expect(alert?.labels).toEqual({ consumergroup: ConsumerGroups.status, topic: Topics.status });
      expect(alert?.value).toBeGreaterThanOrEqual(120);
      expect(await w.metrics.render()).toMatch(
        /kafka_consumergroup_lag\{consumergroup="status-consumers",topic="repository.status",partition="\d"\} \d+/,
      );
      await eventually('firing webhook', () => delivered('RepolensConsumerLagHigh', 'firing'));

      // `repolens lag` reads the same figures from the cluster.
      const lag = await runCli(['lag', '--json', '--brokers', kafkaBrokers().join(','), '--topic-prefix', prefix]);
      expect(lag.code, lag.stderr).toBe(0);
      const rows = JSON.parse(lag.stdout) as { group: string; topic: string; lag: number }[];
      const statusLag = rows
        .filter((row) => row.group === ConsumerGroups.status && row.topic === Topics.status)
        .reduce((sum, row) => sum + row.lag, 0);
      expect(statusLag).toBeGreaterThanOrEqual(120);

      consumer = await consume(Topics.status, quiet, w);
      await eventually('lag alert resolved', () => resolved(w, 'RepolensConsumerLagHigh'), 60_000);
      await eventually('resolved webhook', () => delivered('RepolensConsumerLagHigh', 'resolved'));
      await consumer.close(1000);
    } finally {
      await w.monitor.close();
    }
  }, 120_000);

  it('an error rate above 5 % fires with a failing handler and resolves when failures leave the window', async () => {
    const w = watch();
    let failing = true;
    const route: MessageRoute<typeof Topics.tasks> = {
      service: 'file-selection',
      accepts: () => true,
      handle: async () => {
        if (failing) throw new RepolensError('REPOLENS_TEST_BROKEN', 'broken on purpose');
      },
    };
    const consumer = await consume(Topics.tasks, route, w);
    try {
      await bus.produce(taskMessages(10, 'failing'));
      await eventually('error-rate alert firing', () => firing(w, 'RepolensErrorRateHigh'), 30_000);
      expect(await w.metrics.render()).toMatch(
        /repolens_handler_outcomes_total\{service="file-selection",outcome="dead-lettered",error_code="REPOLENS_TEST_BROKEN"\} 10/,
      );
      failing = false;
      await bus.produce(taskMessages(5, 'healthy'));
      await eventually('error-rate alert resolved', () => resolved(w, 'RepolensErrorRateHigh'), 30_000);
      await eventually(
        'webhook saw both',
        () => delivered('RepolensErrorRateHigh', 'firing') && delivered('RepolensErrorRateHigh', 'resolved'),
      );
    } finally {
      await consumer.close(1000);
      await w.monitor.close();
    }
  }, 120_000);

  it('processing time above the threshold fires with a slow handler and resolves afterwards', async () => {
    const w = watch();
    let delayMs = 600;
    const route: MessageRoute<typeof Topics.tasks> = {
      service: 'rag-loading',
      accepts: () => true,
      handle: async () => systemClock.sleep(delayMs),
    };
    const consumer = await consume(Topics.tasks, route, w);
    try {
      await bus.produce(taskMessages(6, 'slow'));
      await eventually('processing-time alert firing', () => firing(w, 'RepolensProcessingTimeHigh'), 30_000);
      expect(w.evaluator.alerts().find((a) => a.name === 'RepolensProcessingTimeHigh')?.labels).toEqual({
        service: 'rag-loading',
      });
      delayMs = 0;
      await bus.produce(taskMessages(3, 'fast'));
      await eventually('processing-time alert resolved', () => resolved(w, 'RepolensProcessingTimeHigh'), 30_000);
      await eventually(
        'webhook saw both',
        () => delivered('RepolensProcessingTimeHigh', 'firing') && delivered('RepolensProcessingTimeHigh', 'resolved'),
      );
    } finally {
      await consumer.close(1000);
      await w.monitor.close();
    }
  }, 120_000);

  it('a real Prometheus scraping the metrics endpoint evaluates the generated lag rule to firing', async () => {
    const probe = spawn('prometheus', ['--version']);
    const available = await new Promise<boolean>((resolve) => {
      probe.on('error', () => resolve(false));
      probe.on('exit', (code) => resolve(code === 0));
    });
    if (!available) {
      if (process.env['CI'] === 'true') throw new Error('prometheus (Debian package) is required in CI');
      return;
    }
    const w = watch();
    let server: MetricsServer | undefined;
    let prometheus: ChildProcess | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'repolens-prometheus-'));
    try {
      // Lag on the tasks group: committed once, then a backlog with no consumer running.
      const idle: MessageRoute<typeof Topics.tasks> = {
        service: 'file-selection',
        accepts: () => true,
        handle: async () => {},
      };
      const consumer = await consume(Topics.tasks, idle, w);
      await bus.produce(taskMessages(2, 'prom-warmup'));
      await eventually('tasks committed', async () =>
        (await w.monitor.tick()).some((r) => r.group === ConsumerGroups.tasks && r.committed !== null && r.lag === 0),
      );
      await consumer.close(1000);
      await bus.produce(taskMessages(80, 'prom-backlog'));
      await w.monitor.tick();

      server = await startMetricsServer({ metrics: w.metrics, evaluator: w.evaluator, port: 0, host: '127.0.0.1' });
      writeFileSync(join(dir, 'alerts.yml'), prometheusRulesYaml({ ...thresholds, forMs: 1000 }));
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'rule_files: [alerts.yml]',
          'scrape_configs:',
          '  - job_name: repolens-worker',
          `    static_configs: [{ targets: ["127.0.0.1:${server.port}"] }]`,
          '',
        ].join('\n'),
      );
      const probePort = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const port = (s.address() as AddressInfo).port;
          s.close(() => resolve(port));
        });
      });
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${probePort}`,
        ],
        { stdio: 'ignore' },
      );
      const alertsUrl = `http://127.0.0.1:${probePort}/api/v1/alerts`;
      await eventually(
        'Prometheus reports RepolensConsumerLagHigh firing',
        async () => {
          try {
            const body = (await (await fetch(alertsUrl)).json()) as {
              data: { alerts: { labels: Record<string, string>; state: string }[] };
            };
            return body.data.alerts.some(
              (a) =>
                a.labels['alertname'] === 'RepolensConsumerLagHigh' &&
                a.labels['consumergroup'] === ConsumerGroups.tasks &&
                a.state === 'firing',
            );
          } catch {
            return false;
          }
        },
        60_000,
        500,
      );
    } finally {
      prometheus?.kill('SIGKILL');
      await server?.close();
      await w.monitor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
