/**
 * `repolens worker`: the chosen services on Kafka and PostgreSQL, as members of the seed's
 * consumer groups. Start as many as needed on as many machines: they share the partitions.
 * SIGTERM (or SIGINT) drains in-flight handlers within the shutdown grace, commits and leaves
 * the groups, so a restart loses nothing and redoes nothing finished.
 */
import type { Command } from 'commander';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { startMetricsServer, type MetricsServer } from '../../monitoring/metrics-server.js';
import { parseServiceNames, SERVICE_NAMES, type ServiceName } from '../../runtime/service-names.js';
import { assertNoRefusals, ensureTopics } from '../../runtime/topic-provisioning.js';
import type { CliDeps } from '../deps.js';
import { brokerConfigFlags, withBrokerOptions, type BrokerFlags } from './broker-options.js';

interface WorkerFlags extends BrokerFlags {
  readonly databaseUrl?: string;
  readonly services?: string;
  readonly concurrency?: string;
  readonly metricsPort?: string;
}

export function registerWorkerCommand(program: Command, deps: CliDeps): void {
  withBrokerOptions(
    program
      .command('worker')
      .description('run services on Kafka and PostgreSQL until SIGTERM; several workers share the work'),
  )
    .option('--database-url <url>', 'PostgreSQL with pgvector (env DATABASE_URL)')
    .option('--services <list>', `comma-separated services to run (default all: ${SERVICE_NAMES.join(',')})`)
    .option(
      '--concurrency <n>',
      'new repositories start only while fewer stages run; handlers per consumer, twice for tasks (default 8, env REPOLENS_CONSUMER_CONCURRENCY)',
    )
    .option('--metrics-port <n>', 'serve Prometheus /metrics and /api/alerts on this port (env REPOLENS_METRICS_PORT)')
    .action(async (flags: WorkerFlags) => {
      const names: ServiceName[] =
        flags.services === undefined ? [...SERVICE_NAMES] : parseServiceNames(flags.services);
      const config = deps.resolveConfig({
        ...brokerConfigFlags(flags),
        databaseUrl: flags.databaseUrl,
        consumerConcurrency: flags.concurrency === undefined ? undefined : Number(flags.concurrency),
        metricsPort: flags.metricsPort === undefined ? undefined : Number(flags.metricsPort),
      });
      if (config.brokers.length === 0) {
        throw new RepolensError(
          ErrorCodes.configInvalid,
          'a worker needs Kafka: pass --brokers or set REPOLENS_BROKERS',
        );
      }
      if (config.databaseUrl === undefined) {
        throw new RepolensError(
          ErrorCodes.configInvalid,
          'a worker needs PostgreSQL shared by all workers: pass --database-url or set DATABASE_URL',
        );
      }
      const shutdown = deps.shutdownSignal();
      const env = await deps.openEnvironment(config, { mode: 'distributed', allowLocal: false });
      try {
        const provisioned = await ensureTopics(env.admin);
        assertNoRefusals(provisioned);
        if (provisioned.warning !== undefined) env.logger.warn(provisioned.warning);
        // Loaded here, not at start-up: the stages pull in the tokenizer, grammars and license texts.
        const [{ startObservability }, { startServices }] = await Promise.all([
          import('../../runtime/observability.js'),
          import('../../runtime/services.js'),
        ]);
        const observability = startObservability(env, config);
        let metricsServer: MetricsServer | undefined;
        try {
          const pipeline = await startServices(observability.env, config, {
            names,
            observer: observability.observer,
            onStageFinished: observability.onStageFinished,
          });
          try {
            if (config.metricsPort !== undefined) {
              metricsServer = await startMetricsServer({
                metrics: observability.metrics,
                evaluator: observability.evaluator,
                port: config.metricsPort,
              });
              deps.io.err(`repolens worker: metrics on http://0.0.0.0:${metricsServer.port}/metrics\n`);
            }
            env.logger.info({ services: names, brokers: config.brokers }, 'worker started');
            deps.io.err(`repolens worker: running ${names.join(', ')}; SIGTERM drains and stops\n`);
            await new Promise<void>((resolve, reject) => {
              if (shutdown.aborted) resolve();
              shutdown.addEventListener('abort', () => resolve(), { once: true });
              pipeline.done.then(
                () => reject(new RepolensError(ErrorCodes.internal, 'a consumer stopped unexpectedly')),
                (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
              );
            });
            deps.io.err(`repolens worker: draining (up to ${config.shutdownGraceMs} ms)\n`);
          } finally {
            await pipeline.close(config.shutdownGraceMs);
          }
        } finally {
          await metricsServer?.close();
          await observability.close();
        }
        env.logger.info('worker stopped');
      } finally {
        await env.close();
      }
    });
}
