/**
 * `tsx scripts/kafka.ts up|down|status` (npm run kafka:up / kafka:down): a local KRaft cluster
 * that outlives this command. `up` prints exactly one stdout line, `KAFKA_BROKERS=...`, so
 * `eval "$(npm run -s kafka:up)"` or `export $(npm run -s kafka:up)` works; progress goes to
 * stderr.
 *
 * Environment: KAFKA_NODES (1..5, default 3), KAFKA_STATE_DIR (default <repo>/.kafka),
 * KAFKA_PORT_OFFSET (added to N9092/N9093, default 0).
 */
import { resolve } from 'node:path';
import {
  MAX_NODES,
  defaultStateDir,
  ensureKafkaJars,
  isNodeAlive,
  loadClusterState,
  readClusterState,
  restartNode,
  startCluster,
  stopCluster,
  type KafkaClusterState,
} from './kafka-cluster.js';

interface CliSettings {
  nodes: number;
  stateDir: string;
  portOffset: number;
}

const USAGE = 'usage: tsx scripts/kafka.ts up|down|status|jars';

function progress(message: string): void {
  process.stderr.write(`kafka: ${message}\n`);
}

function readSettings(env: NodeJS.ProcessEnv): CliSettings {
  return {
    nodes: integerSetting(env, 'KAFKA_NODES', 3, 1, MAX_NODES),
    stateDir: resolve(env['KAFKA_STATE_DIR'] || defaultStateDir),
    portOffset: integerSetting(env, 'KAFKA_PORT_OFFSET', 0, -18_000, 25_000),
  };
}

function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function printBrokers(state: KafkaClusterState): void {
  process.stdout.write(`KAFKA_BROKERS=${state.brokers}\n`);
}

async function up(settings: CliSettings): Promise<number> {
  const running = await readClusterState(settings.stateDir);
  if (running !== null) {
    if (running.nodes.length !== settings.nodes) {
      progress(
        `keeping the running ${running.nodes.length}-node cluster (KAFKA_NODES=${settings.nodes} ignored; kafka:down first)`,
      );
    }
    printBrokers(running);
    return 0;
  }
  const recorded = await loadClusterState(settings.stateDir);
  if (recorded !== null && anyNodeAlive(recorded)) {
    printBrokers(await restartDeadNodes(recorded));
    return 0;
  }
  if (recorded !== null) await stopCluster(settings.stateDir);

  const startedAt = Date.now();
  const libsDir = await ensureKafkaJars({ log: progress });
  const state = await startCluster({
    nodes: settings.nodes,
    stateDir: settings.stateDir,
    portOffset: settings.portOffset,
    libsDir,
    log: progress,
  });
  progress(
    `${state.nodes.length} node(s) up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; logs in ${state.stateDir}`,
  );
  printBrokers(state);
  return 0;
}

function anyNodeAlive(state: KafkaClusterState): boolean {
  return state.nodes.some((node) => isNodeAlive(node));
}

/** A fault test or a crash took some nodes down; bring them back with their data. */
async function restartDeadNodes(state: KafkaClusterState): Promise<KafkaClusterState> {
  let current = state;
  for (const node of state.nodes) {
    if (!isNodeAlive(node)) current = await restartNode(current, node.nodeId, { log: progress });
  }
  return current;
}

async function down(settings: CliSettings): Promise<number> {
  const stopped = await stopCluster(settings.stateDir, { log: progress });
  progress(
    stopped ? `stopped the cluster recorded in ${settings.stateDir}` : `no cluster recorded in ${settings.stateDir}`,
  );
  return 0;
}

async function status(settings: CliSettings): Promise<number> {
  const state = await loadClusterState(settings.stateDir);
  if (state === null) {
    process.stdout.write(`no Kafka cluster recorded in ${settings.stateDir}\n`);
    return 1;
  }
  let allAlive = true;
  for (const node of state.nodes) {
    const alive = isNodeAlive(node);
    allAlive &&= alive;
    process.stdout.write(
      `node ${node.nodeId}: ${alive ? 'running' : 'DOWN'} pid=${node.pid} ` +
        `client=${node.clientPort} controller=${node.controllerPort} log=${node.logPath}\n`,
    );
  }
  process.stdout.write(`KAFKA_BROKERS=${state.brokers}\n`);
  return allAlive ? 0 : 1;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const command = argv[0];
  const settings = readSettings(env);
  switch (command) {
    case 'up':
      return up(settings);
    case 'down':
      return down(settings);
    case 'status':
      return status(settings);
    case 'jars':
      // CI fetches the jars up front so a Maven failure is reported as such, before any test.
      process.stdout.write(`${await ensureKafkaJars({ log: progress })}\n`);
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

// Exiting explicitly: the brokers are detached, and nothing else should keep this process alive.
main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
