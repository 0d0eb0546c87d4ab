/**
 * `repolens serve`: the HTTP API (src/http). Without brokers it is the whole of repolens in one
 * process: the in-process bus, PGlite in the data directory (or PostgreSQL with
 * --database-url) and every service, and on start it resumes every repository whose last run was
 * left unfinished (by a crash or kill -9 too: the store outlives the in-process bus). With brokers
 * it is an API in front of a distributed installation; `--with-services` also runs the services
 * here, as one more worker. SIGTERM/SIGINT close the server, drain the services and exit 0.
 */
import type { Command } from 'commander';
import type { AlertEvaluator } from '../../monitoring/alert-evaluator.js';
import type { RepolensMetrics } from '../../monitoring/metrics.js';
import type { Config } from '../../config/schema.js';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { RunningPipeline } from '../../runtime/pipeline.js';
import type { ServiceEnvironment } from '../../runtime/services.js';
import { startRepository } from '../../runtime/start-repository.js';
import { assertNoRefusals, ensureTopics } from '../../runtime/topic-provisioning.js';
import type { CliDeps } from '../deps.js';
import { nonNegativeInteger } from '../parse.js';
import { brokerConfigFlags, withBrokerOptions, type BrokerFlags } from './broker-options.js';

/** What serve needs of the HTTP app (a fastify instance is one); built by src/http/serve-app.ts. */
export interface HttpServer {
  /** Resolves to the address listened on, e.g. `http://127.0.0.1:8080`. */
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
}

/**
 * `createServeApp` from src/http/serve-app.ts, handed in by the composition root: the CLI may not
 * import src/http itself (eslint layer zones).
 */
export type CreateHttpServer = (
  env: ServiceEnvironment,
  config: Config,
  options: {
    readonly allowLocal: boolean;
    readonly cwd: string;
    readonly monitoring?: { readonly metrics: RepolensMetrics; readonly evaluator: AlertEvaluator };
  },
) => Promise<HttpServer>;

export interface ServeDeps {
  readonly createHttpServer?: CreateHttpServer;
}

interface ServeFlags extends BrokerFlags {
  readonly port?: number;
  readonly host: string;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly withServices?: boolean;
  readonly allowLocal?: boolean;
}

/** Repositories listed per page while looking for unfinished runs. */
const RESUME_PAGE = 200;

/**
 * Embedded mode only: the in-process bus lost its messages with the last process, so every
 * repository whose last run is still `running` in the store is started again from the stage
 * after its last completed one. Finished and failed runs are left alone.
 */
async function resumeUnfinished(env: ServiceEnvironment, signal: AbortSignal): Promise<number> {
  let resumed = 0;
  for (let offset = 0; !signal.aborted; offset += RESUME_PAGE) {
    const page = await env.store.listRepositories({ limit: RESUME_PAGE, offset });
    for (const row of page.rows) {
      // The summary rules out most finished repositories without reading their runs.
      if (row.state === 'failed' || (row.status === 'analyzed' && row.progress >= 100)) continue;
      const detail = await env.store.getRepository(row.url, { historyLimit: 0 });
      if (detail?.runs.at(-1)?.outcome !== 'running') continue;
      await startRepository({
        bus: env.bus,
        store: env.store,
        clock: env.clock,
        url: row.url,
        priority: 3,
        source: 'automatic',
      });
      resumed++;
    }
    if (page.rows.length < RESUME_PAGE) break;
  }
  return resumed;
}

function untilStopped(shutdown: AbortSignal, pipeline: RunningPipeline | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (shutdown.aborted) resolve();
    shutdown.addEventListener('abort', () => resolve(), { once: true });
    pipeline?.done.then(
      () => reject(new RepolensError(ErrorCodes.internal, 'a service stopped unexpectedly')),
      (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
    );
  });
}

export function registerServeCommand(program: Command, deps: CliDeps & ServeDeps): void {
  withBrokerOptions(
    program.command('serve').description('serve the HTTP API; without brokers also run every service in this process'),
  )
    .option(
      '--port <n>',
      'port to listen on, 0 for any free one (env REPOLENS_PORT, default 8080)',
      nonNegativeInteger('--port'),
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--database-url <url>', 'PostgreSQL with pgvector (env DATABASE_URL); default: PGlite in the data dir')
    .option('--data-dir <dir>', 'data directory of embedded mode (env REPOLENS_DATA_DIR)')
    .option('--with-services', 'with --brokers: also run every service in this process')
    .option('--allow-local', 'accept local paths as repositories (trusted single-user setups only)')
    .action(async (flags: ServeFlags) => {
      const createHttpServer = deps.createHttpServer;
      if (createHttpServer === undefined) {
        throw new RepolensError(
          ErrorCodes.internal,
          'this build of repolens has no HTTP server wired in (CliDeps.createHttpServer)',
        );
      }
      const shutdown = deps.shutdownSignal();
      const config = deps.resolveConfig({
        ...brokerConfigFlags(flags),
        databaseUrl: flags.databaseUrl,
        dataDir: flags.dataDir,
        port: flags.port,
      });
      const mode = config.brokers.length === 0 ? 'embedded' : 'distributed';
      if (mode === 'distributed' && config.databaseUrl === undefined) {
        throw new RepolensError(
          ErrorCodes.configInvalid,
          'with --brokers, serve reads the PostgreSQL the workers write: pass --database-url or set DATABASE_URL',
        );
      }
      const allowLocal = flags.allowLocal === true;
      const rawEnv = await deps.openEnvironment(config, { mode, allowLocal });
      // Metrics and alerts for this process, on the same bus the services use (embedded or Kafka).
      // Loaded here, not at start-up: the stages pull in the tokenizer, grammars and license texts.
      const [{ startObservability }, { startServices }] = await Promise.all([
        import('../../runtime/observability.js'),
        import('../../runtime/services.js'),
      ]);
      const observability = startObservability(rawEnv, config);
      const env = observability.env;
      let pipeline: RunningPipeline | undefined;
      try {
        if (mode === 'distributed') {
          const provisioned = await ensureTopics(env.admin);
          assertNoRefusals(provisioned);
          if (provisioned.warning !== undefined) env.logger.warn(provisioned.warning);
        }
        if (mode === 'embedded' || flags.withServices === true) {
          pipeline = await startServices(env, config, {
            observer: observability.observer,
            onStageFinished: observability.onStageFinished,
          });
        }
        const app = await createHttpServer(env, config, {
          allowLocal,
          cwd: deps.cwd,
          monitoring: { metrics: observability.metrics, evaluator: observability.evaluator },
        });
        try {
          if (mode === 'embedded') {
            const resumed = await resumeUnfinished(env, shutdown);
            if (resumed > 0) deps.io.err(`repolens serve: resuming ${resumed} unfinished repositories\n`);
          }
          const address = await app.listen({ port: config.port, host: flags.host });
          deps.io.out(`repolens serve: listening on ${address} (${mode})\n`);
          if (config.apiKey === undefined && flags.host !== '127.0.0.1' && flags.host !== 'localhost') {
            deps.io.err(
              'repolens serve: warning: no API key (REPOLENS_API_KEY) and not on loopback: anyone can submit\n',
            );
          }
          await untilStopped(shutdown, pipeline);
          deps.io.err('repolens serve: stopping\n');
        } finally {
          await app.close();
        }
      } finally {
        try {
          await pipeline?.close(config.shutdownGraceMs);
        } finally {
          await observability.close();
          await rawEnv.close();
        }
      }
    });
}
