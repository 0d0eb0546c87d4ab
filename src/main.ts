/**
 * The composition root: the only module that reads process.env and argv, picks adapters,
 * traps signals and exits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommanderError } from 'commander';
import { createLogUpdate } from 'log-update';
import type { KafkaConnection } from './cli/deps.js';
import { createProgram, type ProgramDeps } from './cli/program.js';
import { loadConfig } from './config/load-config.js';
import type { Config } from './config/schema.js';
import { ErrorCodes, RepolensError, isRepolensError } from './domain/errors.js';
import type { Store } from './ports/store.js';
import type { Logger } from './ports/logger.js';
import { createNamespace, namespacedAdmin, namespacedBus } from './runtime/namespace.js';

const CONFIG_FILE = 'repolens.config.json';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? '0.0.0';
}

function readConfigFile(env: NodeJS.ProcessEnv): unknown {
  const path = resolve(env['REPOLENS_CONFIG'] ?? CONFIG_FILE);
  if (!existsSync(path)) {
    if (env['REPOLENS_CONFIG'] !== undefined)
      throw new RepolensError(ErrorCodes.configInvalid, `config file ${path} (REPOLENS_CONFIG) does not exist`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new RepolensError(
      ErrorCodes.configInvalid,
      `config file ${path} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function connectKafka(config: Config): Promise<KafkaConnection> {
  if (config.brokers.length === 0) {
    throw new RepolensError(
      ErrorCodes.configInvalid,
      'no Kafka brokers configured: pass --brokers host:port,... or set REPOLENS_BROKERS',
    );
  }
  const namespace = createNamespace(config.topicPrefix);
  const options = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    // Kafka's advice: heartbeat at most a third of the session timeout; a tenth notices sooner.
    heartbeatIntervalMs: Math.max(500, Math.floor(config.kafkaSessionTimeoutMs / 10)),
  };
  // Adapters load when a command needs them, so light commands start fast.
  const { createKafkaBus, createKafkaBusAdmin, watchKafkaRequests } = await import('./adapters/bus-kafka/index.js');
  const bus = createKafkaBus(options);
  const admin = createKafkaBusAdmin(options);
  return {
    bus: namespacedBus(bus, namespace),
    admin: namespacedAdmin(admin, namespace),
    watchRequests: watchKafkaRequests,
    close: async () => {
      await Promise.allSettled([bus.close(), admin.close()]);
    },
  };
}

async function openStore(config: Config): Promise<Store> {
  const store =
    config.databaseUrl === undefined
      ? await (
          await import('./adapters/store-pglite/index.js')
        ).createPgliteStore({ dataDir: join(config.dataDir, 'db') })
      : (await import('./adapters/store-postgres/index.js')).createPostgresStore({
          connectionString: config.databaseUrl,
        });
  try {
    await store.migrate();
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** JSON lines on stderr, so stdout stays for what a command prints. */
async function createLogger(config: Config): Promise<{ logger: Logger }> {
  const { pino } = await import('pino');
  // Wrapped: pino's logger type is thenable-looking to TypeScript, which an async return forbids.
  return { logger: pino({ level: config.logLevel, base: { pid: process.pid } }, pino.destination(2)) };
}

/**
 * SIGINT and SIGTERM abort the returned signal once, so long-running commands drain and return;
 * a second signal exits at once.
 */
function trapShutdownSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`repolens: ${signal} again, exiting without draining\n`);
      process.exit(130);
    }
    controller.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const io = {
    out: (text: string) => void process.stdout.write(text),
    err: (text: string) => void process.stderr.write(text),
  };
  let shutdown: AbortSignal | undefined;
  const deps: ProgramDeps = {
    io,
    version: packageVersion(),
    resolveConfig: (flags) => loadConfig({ env, file: readConfigFile(env), flags }),
    connectKafka,
    openStore,
    openEnvironment: async (config, options) => {
      const { openEnvironment } = await import('./composition/open-environment.js');
      return openEnvironment(config, options, {
        version: deps.version,
        logger: (await createLogger(config)).logger,
        connectKafka,
      });
    },
    openStores: async (config) => (await import('./composition/open-environment.js')).openStores(config),
    createHttpServer: async (env, config, options) =>
      (await import('./http/serve-app.js')).createServeApp(env, config, options),
    forgeTokens: {
      github: env['GITHUB_TOKEN'],
      gitlab: env['GITLAB_TOKEN'],
      gitea: env['GITEA_TOKEN'],
    },
    liveOutput: () => {
      if (process.stderr.isTTY !== true) return undefined;
      const log = createLogUpdate(process.stderr);
      return { update: (frame: string) => log(frame), done: () => log.done() };
    },
    shutdownSignal: () => (shutdown ??= trapShutdownSignals()),
    cwd: process.cwd(),
  };
  const program = createProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" in commander's model but successful for the user.
      return error.exitCode;
    }
    if (isRepolensError(error)) {
      io.err(`repolens: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv, process.env);
