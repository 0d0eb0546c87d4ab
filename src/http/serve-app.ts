/**
 * The API as `repolens serve` runs it: HttpDeps assembled from a service environment and the
 * configuration (discovery publisher with the revisit dedupe, DLQ tools, readiness checks, the
 * task journal). The CLI may not import src/http (layering), so the composition root hands this
 * factory to the serve command as `CliDeps.createHttpServer`.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { createDlqTools } from '../runtime/dlq-tools.js';
import type { ServiceEnvironment } from '../runtime/services.js';
import { createDiscoveryPublisher } from '../services/discovery/discovery-publisher.js';
import type { AlertEvaluator } from '../monitoring/alert-evaluator.js';
import type { RepolensMetrics } from '../monitoring/metrics.js';
import { buildApp } from './app.js';
import { discoverWithPublisher } from './discovery-adapter.js';
import { createReadiness } from './readiness.js';
import { createTaskJournal } from './task-journal.js';

export interface ServeAppOptions {
  /** Serves `GET /metrics` (Prometheus) and `GET /api/alerts` from these when given. */
  readonly monitoring?: { readonly metrics: RepolensMetrics; readonly evaluator: AlertEvaluator };
  /** Local paths as repositories (`serve --allow-local`). */
  readonly allowLocal: boolean;
  /** Resolves relative local paths. */
  readonly cwd: string;
}

export function createServeApp(
  env: ServiceEnvironment,
  config: Pick<Config, 'apiKey' | 'revisitIntervalMs'>,
  options: ServeAppOptions,
): FastifyInstance {
  const app = buildApp({
    store: env.store,
    reports: env.reports,
    index: env.index,
    embedder: env.embedder,
    bus: env.bus,
    clock: env.clock,
    dlq: createDlqTools({ admin: env.admin, bus: env.bus }),
    discover: discoverWithPublisher(
      createDiscoveryPublisher({
        bus: env.bus,
        store: env.store,
        clock: env.clock,
        logger: env.logger.child({ component: 'discovery' }),
        revisitIntervalMs: config.revisitIntervalMs,
        allowLocal: options.allowLocal,
        cwd: options.cwd,
      }),
    ),
    // The in-process bus lives in this process: only Kafka needs a reachability check.
    readiness: createReadiness({ store: env.store, admin: env.mode === 'distributed' ? env.admin : undefined }),
    tasks: createTaskJournal(env.admin),
    allowLocal: options.allowLocal,
    cwd: options.cwd,
    apiKey: config.apiKey,
    version: env.version,
    logger: env.logger.child({ component: 'http' }),
  });
  const monitoring = options.monitoring;
  if (monitoring !== undefined) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(monitoring.metrics.contentType).send(await monitoring.metrics.render()),
    );
    app.get('/api/alerts', { schema: { hide: true } }, async () => ({ alerts: monitoring.evaluator.alerts() }));
  }
  return app;
}
