/**
 * Runs a real Apache Kafka KRaft cluster (1..5 combined broker+controller nodes) on 127.0.0.1
 * from the jars that infra/kafka/pom.xml fetches from Maven Central, for development, tests and
 * CI on machines without Docker. It follows the recipe of the shared INFRA.md ("Apache Kafka (KRaft,
 * no ZooKeeper) from Maven Central jars"), which mirrors Kafka 4.x's own start scripts.
 *
 * Brokers run detached, in their own process groups, so the process that started them may exit;
 * everything another process needs to find, kill or restart them is recorded in
 * `<stateDir>/cluster.json`. Node N listens on N9092 (clients) and N9093 (controller), both
 * shifted by `portOffset` so a test run's cluster can coexist with a developer's.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Admin, FindCoordinatorKeyTypes } from '@platformatic/kafka';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const infraDir = join(repoRoot, 'infra', 'kafka');
export const defaultPomPath = join(infraDir, 'pom.xml');
export const defaultLibsDir = join(infraDir, 'libs');
export const defaultLog4jConfig = join(infraDir, 'log4j2.properties');
export const defaultStateDir = join(repoRoot, '.kafka');

export const KAFKA_HOST = '127.0.0.1';
export const MAX_NODES = 5;
const STATE_FILE = 'cluster.json';
const DEFAULT_READY_TIMEOUT_MS = 90_000;
const DEFAULT_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;
export const DEFAULT_JVM_OPTIONS: readonly string[] = [
  '-Xms256m',
  '-Xmx512m',
  // Serial, not G1: a 512 MB heap of short-lived request objects needs no concurrent collector,
  // and G1's barriers and helper threads cost CPU on every request. One produce-and-consume of a
  // small message (acks=all, 3 replicas) took about 1.85 ms of broker CPU with Serial and 2.1 ms
  // with G1 after warm-up (3.4 vs 4.1 ms on a fresh cluster). Production brokers keep G1.
  '-XX:+UseSerialGC',
  // C1 only: these brokers live for a test run or a benchmark and share two cores with
  // everything else. C2 kept compiling for several runs (6 s of CPU per bench:pipeline run on
  // a cluster three runs old), more than its faster code saved; with C1 a fresh cluster's
  // brokers used half the CPU in bench:pipeline. Long-running production brokers keep the default.
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

export type Logger = (message: string) => void;
const silent: Logger = () => {};

export type KafkaClusterErrorCode =
  | 'REPOLENS_KAFKA_INVALID_OPTIONS'
  | 'REPOLENS_KAFKA_JARS_FETCH_FAILED'
  | 'REPOLENS_KAFKA_PORT_IN_USE'
  | 'REPOLENS_KAFKA_ALREADY_RUNNING'
  | 'REPOLENS_KAFKA_START_FAILED'
  | 'REPOLENS_KAFKA_UNKNOWN_NODE'
  | 'REPOLENS_KAFKA_STOP_FAILED';

export class KafkaClusterError extends Error {
  readonly code: KafkaClusterErrorCode;
  readonly retryable = false;

  constructor(code: KafkaClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KafkaClusterError';
    this.code = code;
  }
}

export interface KafkaNodeState {
  nodeId: number;
  pid: number;
  clientPort: number;
  controllerPort: number;
  propertiesPath: string;
  logPath: string;
  dataDir: string;
}

export interface KafkaClusterState {
  formatVersion: 1;
  stateDir: string;
  clusterId: string;
  /** Comma-separated `host:port` list, ready for `KAFKA_BROKERS` or `bootstrapBrokers`. */
  brokers: string;
  portOffset: number;
  libsDir: string;
  log4jConfig: string;
  java: string;
  jvmOptions: string[];
  startedAt: string;
  nodes: KafkaNodeState[];
}

// ---------------------------------------------------------------------------------------------
// Jars

export interface EnsureKafkaJarsOptions {
  libsDir?: string;
  pomPath?: string;
  mvn?: string;
  log?: Logger;
}

/** Fetches the Kafka jars with Maven unless the pinned kafka_2.13 jar is already there. */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions = {}): Promise<string> {
  const libsDir = options.libsDir ?? defaultLibsDir;
  const pomPath = options.pomPath ?? defaultPomPath;
  const log = options.log ?? silent;
  const version = await readPinnedKafkaVersion(pomPath);
  const brokerJar = join(libsDir, `kafka_2.13-${version}.jar`);
  if (existsSync(brokerJar)) return libsDir;

  log(`fetching Apache Kafka ${version} jars from Maven Central into ${libsDir}`);
  // Jars of a previously pinned version would share the classpath with the new ones.
  await removeJars(libsDir);
  const args = ['-B', '-q', '-f', pomPath, `-Dkafka.libs.dir=${libsDir}`, 'package'];
  const result = await runCommand(options.mvn ?? 'mvn', args, { cwd: dirname(pomPath) });
  if (result.error !== undefined || result.exitCode !== 0 || !existsSync(brokerJar)) {
    const why =
      result.error !== undefined
        ? `could not run Maven (${result.error.message}); install Maven 3.8+ and Java 17`
        : `mvn exited with ${String(result.exitCode)}`;
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_JARS_FETCH_FAILED',
      `fetching the Kafka jars failed: ${why}\n${tail(result.output, LOG_TAIL_LINES)}`,
      { cause: result.error },
    );
  }
  return libsDir;
}

async function readPinnedKafkaVersion(pomPath: string): Promise<string> {
  const pom = await readFile(pomPath, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]?.trim();
  if (version === undefined) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_INVALID_OPTIONS',
      `${pomPath} does not define the <kafka.version> property`,
    );
  }
  return version;
}

async function removeJars(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  await Promise.all(entries.filter((name) => name.endsWith('.jar')).map((name) => rm(join(dir, name))));
}

// ---------------------------------------------------------------------------------------------
// Starting

export interface StartClusterOptions {
  stateDir: string;
  /** 1 (single voter, replication factor 1) or more; 3 gives the production-like layout. */
  nodes?: number;
  /** Added to every port (N9092/N9093), e.g. 100 gives 19192, 29192, ... */
  portOffset?: number;
  libsDir?: string;
  log4jConfig?: string;
  java?: string;
  jvmOptions?: readonly string[];
  /** Per attempt; a start that misses it is retried once from scratch. */
  readyTimeoutMs?: number;
  attempts?: number;
  log?: Logger;
}

interface ClusterPlan {
  stateDir: string;
  portOffset: number;
  libsDir: string;
  log4jConfig: string;
  java: string;
  jvmOptions: string[];
  readyTimeoutMs: number;
  log: Logger;
  nodes: Omit<KafkaNodeState, 'pid'>[];
}

/**
 * Formats and starts a fresh cluster in `stateDir` (data from an earlier one is wiped) and
 * resolves once every broker is registered, unfenced, and the group coordinator works. Fails
 * with code REPOLENS_KAFKA_PORT_IN_USE, without retrying, when its ports are taken.
 */
export async function startCluster(options: StartClusterOptions): Promise<KafkaClusterState> {
  const plan = planCluster(options);
  const running = await readClusterState(plan.stateDir);
  if (running !== null) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_ALREADY_RUNNING',
      `a Kafka cluster recorded in ${plan.stateDir} is already running (${running.brokers}); stop it first`,
    );
  }
  return withPortClaim(plan, async () => {
    const attempts = options.attempts ?? 2;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      // Checked per attempt and never retried: the caller can pick other ports instead.
      await assertPortsFree(plan);
      try {
        return await startOnce(plan, attempt);
      } catch (error) {
        if (isPortConflict(error)) throw error;
        lastError = error;
        if (attempt < attempts) plan.log(`start attempt ${attempt} failed, retrying: ${firstLine(error)}`);
      }
    }
    throw lastError;
  });
}

function isPortConflict(error: unknown): boolean {
  return error instanceof KafkaClusterError && error.code === 'REPOLENS_KAFKA_PORT_IN_USE';
}

/**
 * Ports stay free for the seconds it takes the JVMs to bind them, so two starters (say, two
 * concurrent test runs) could both find them free. A lock per port offset, held while starting,
 * closes that window among this tool's users; the port check covers everyone else.
 */
async function withPortClaim<T>(plan: ClusterPlan, start: () => Promise<T>): Promise<T> {
  const lockPath = join(tmpdir(), `repolens-kafka-ports-${plan.portOffset}.lock`);
  await claimLock(lockPath, plan.portOffset);
  try {
    return await start();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function claimLock(lockPath: string, portOffset: number): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
    if (isProcessRunning(owner)) {
      throw new KafkaClusterError(
        'REPOLENS_KAFKA_PORT_IN_USE',
        `another cluster (pid ${owner}) is starting on port offset ${portOffset} (lock: ${lockPath})`,
      );
    }
    // Its owner died mid-start.
    await rm(lockPath, { force: true });
  }
  throw new KafkaClusterError('REPOLENS_KAFKA_PORT_IN_USE', `could not claim ${lockPath}`);
}

function isProcessRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrnoException(error) && error.code === 'EPERM';
  }
}

function planCluster(options: StartClusterOptions): ClusterPlan {
  const count = options.nodes ?? 3;
  const portOffset = options.portOffset ?? 0;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_INVALID_OPTIONS',
      `nodes must be an integer from 1 to ${MAX_NODES}, got ${String(count)}`,
    );
  }
  const lowest = 10_000 + 9092 + portOffset;
  const highest = count * 10_000 + 9093 + portOffset;
  if (!Number.isInteger(portOffset) || lowest < 1024 || highest > 65_535) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_INVALID_OPTIONS',
      `portOffset ${String(portOffset)} puts ports outside 1024..65535 for ${count} nodes`,
    );
  }
  const stateDir = resolve(options.stateDir);
  const nodes = Array.from({ length: count }, (_, index) => {
    const nodeId = index + 1;
    return {
      nodeId,
      clientPort: nodeId * 10_000 + 9092 + portOffset,
      controllerPort: nodeId * 10_000 + 9093 + portOffset,
      propertiesPath: join(stateDir, `node${nodeId}.properties`),
      logPath: join(stateDir, `node${nodeId}.log`),
      dataDir: join(stateDir, 'data', `node${nodeId}`),
    };
  });
  return {
    stateDir,
    portOffset,
    libsDir: resolve(options.libsDir ?? defaultLibsDir),
    log4jConfig: resolve(options.log4jConfig ?? defaultLog4jConfig),
    java: options.java ?? defaultJava(),
    jvmOptions: [...(options.jvmOptions ?? DEFAULT_JVM_OPTIONS)],
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    log: options.log ?? silent,
    nodes,
  };
}

function defaultJava(): string {
  const javaHome = process.env['JAVA_HOME'];
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

async function assertPortsFree(plan: ClusterPlan): Promise<void> {
  const ports = plan.nodes.flatMap((node) => [node.clientPort, node.controllerPort]);
  const busy: number[] = [];
  for (const port of ports) {
    if (!(await isPortFree(port))) busy.push(port);
  }
  if (busy.length > 0) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_PORT_IN_USE',
      `port(s) ${busy.join(', ')} on ${KAFKA_HOST} are already in use, probably by another Kafka ` +
        'cluster (`npm run kafka:down` stops the one in .kafka); stop it or use another port offset',
    );
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ host: KAFKA_HOST, port, exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

async function startOnce(plan: ClusterPlan, attempt: number): Promise<KafkaClusterState> {
  const began = Date.now();
  const elapsed = (): string => `${((Date.now() - began) / 1000).toFixed(1)} s`;
  await resetDirectories(plan);
  const clusterId = await randomClusterId(plan);
  plan.log(`formatting ${plan.nodes.length} node(s) for cluster ${clusterId} in ${plan.stateDir}`);
  await Promise.all(plan.nodes.map((node) => writeFile(node.propertiesPath, nodeProperties(plan, node))));
  await Promise.all(plan.nodes.map((node) => formatNode(plan, clusterId, node)));

  const state: KafkaClusterState = {
    formatVersion: 1,
    stateDir: plan.stateDir,
    clusterId,
    brokers: plan.nodes.map((node) => `${KAFKA_HOST}:${node.clientPort}`).join(','),
    portOffset: plan.portOffset,
    libsDir: plan.libsDir,
    log4jConfig: plan.log4jConfig,
    java: plan.java,
    jvmOptions: plan.jvmOptions,
    startedAt: new Date().toISOString(),
    nodes: [],
  };
  try {
    for (const node of plan.nodes) {
      state.nodes.push({ ...node, pid: await spawnNode(state, node, 'w') });
    }
    // Recorded before waiting so `kafka:down` can clean up even if this process is interrupted.
    await writeClusterState(state);
    plan.log(`formatted and started ${state.nodes.length} node(s) in ${elapsed()} (attempt ${attempt})`);
    const deadline = Date.now() + plan.readyTimeoutMs;
    await waitUntilReady(state, state.nodes, deadline);
    plan.log(`all brokers registered after ${elapsed()}`);
    await warmUpGroupCoordinator(state, deadline);
    plan.log(`group coordinator ready after ${elapsed()}: ${state.brokers}`);
    return state;
  } catch (error) {
    const diagnostics = await describeLogs(state.nodes.length > 0 ? state.nodes : plan.nodes);
    await killNodes(state.nodes, 'SIGKILL', 10_000).catch(() => {});
    await rm(stateFilePath(plan.stateDir), { force: true });
    if (isPortConflict(error)) throw error;
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_START_FAILED',
      `Kafka cluster in ${plan.stateDir} did not become ready: ${errorMessage(error)}\n${diagnostics}`,
      { cause: error },
    );
  }
}

async function resetDirectories(plan: ClusterPlan): Promise<void> {
  await mkdir(plan.stateDir, { recursive: true });
  await Promise.all(
    plan.nodes.map(async (node) => {
      await rm(node.dataDir, { recursive: true, force: true });
      await mkdir(node.dataDir, { recursive: true });
    }),
  );
}

async function randomClusterId(plan: ClusterPlan): Promise<string> {
  const result = await runJava(plan, ['kafka.tools.StorageTool', 'random-uuid']);
  const id = result.output.trim().split('\n').pop()?.trim() ?? '';
  if (result.exitCode !== 0 || !/^[A-Za-z0-9_-]{22}$/.test(id)) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_START_FAILED',
      `StorageTool random-uuid failed${spawnFailure(result)}:\n${tail(result.output, LOG_TAIL_LINES)}`,
      { cause: result.error },
    );
  }
  return id;
}

async function formatNode(plan: ClusterPlan, clusterId: string, node: ClusterPlan['nodes'][number]): Promise<void> {
  // With static controller.quorum.voters every node is formatted alike, without --standalone.
  const args = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.propertiesPath];
  const result = await runJava(plan, args);
  if (result.exitCode !== 0) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_START_FAILED',
      `formatting node ${node.nodeId} failed${spawnFailure(result)}:\n${tail(result.output, LOG_TAIL_LINES)}`,
      { cause: result.error },
    );
  }
}

function runJava(plan: ClusterPlan, args: string[]): Promise<CommandResult> {
  const javaArgs = [`-Dlog4j2.configurationFile=${plan.log4jConfig}`, '-cp', classpath(plan.libsDir), ...args];
  return runCommand(plan.java, javaArgs, { cwd: plan.stateDir });
}

function classpath(libsDir: string): string {
  // The JVM expands `dir/*` itself; no shell is involved.
  return join(libsDir, '*');
}

/**
 * The broker configuration of INFRA.md. One node means one voter and replication factor 1; with
 * two, a min ISR of 2 would stop all writes when either dies, so it is 1 below three nodes.
 */
export function nodeProperties(
  cluster: { nodes: readonly Pick<KafkaNodeState, 'nodeId' | 'controllerPort'>[] },
  node: Pick<KafkaNodeState, 'nodeId' | 'clientPort' | 'controllerPort' | 'dataDir'>,
): string {
  const count = cluster.nodes.length;
  const replication = Math.min(3, count);
  const minIsr = count >= 3 ? 2 : 1;
  const voters = cluster.nodes.map((n) => `${n.nodeId}@${KAFKA_HOST}:${n.controllerPort}`).join(',');
  const properties: [string, string | number][] = [
    ['process.roles', 'broker,controller'],
    ['node.id', node.nodeId],
    ['controller.quorum.voters', voters],
    ['listeners', `PLAINTEXT://${KAFKA_HOST}:${node.clientPort},CONTROLLER://${KAFKA_HOST}:${node.controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${KAFKA_HOST}:${node.clientPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', node.dataDir],
    ['default.replication.factor', replication],
    ['min.insync.replicas', minIsr],
    ['offsets.topic.replication.factor', replication],
    ['transaction.state.log.replication.factor', replication],
    ['transaction.state.log.min.isr', minIsr],
    ['share.coordinator.state.topic.replication.factor', replication],
    ['share.coordinator.state.topic.min.isr', minIsr],
    ['auto.create.topics.enable', 'false'],
    ['group.initial.rebalance.delay.ms', 0],
    ['offsets.topic.num.partitions', 3],
    ['transaction.state.log.num.partitions', 3],
    ['num.network.threads', 2],
    ['num.io.threads', 2],
    ['background.threads', 2],
    ['log.cleaner.threads', 1],
    ['log.cleaner.dedupe.buffer.size', 2_097_152],
  ];
  const lines = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  return `# Generated by scripts/kafka-cluster.ts; rewritten on every fresh start.\n${lines.join('\n')}\n`;
}

function escapeProperty(value: string): string {
  // Only backslashes are special in the values used here (Windows-style paths).
  return value.replaceAll('\\', '\\\\');
}

async function spawnNode(
  state: KafkaClusterState,
  node: Omit<KafkaNodeState, 'pid'>,
  logMode: 'w' | 'a',
): Promise<number> {
  const args = [
    ...state.jvmOptions,
    `-Dlog4j2.configurationFile=${state.log4jConfig}`,
    '-cp',
    classpath(state.libsDir),
    'kafka.Kafka',
    node.propertiesPath,
  ];
  const logFd = openSync(node.logPath, logMode);
  try {
    // Its own process group (detached) lets one signal reach the whole JVM and lets the caller
    // exit while the broker keeps running.
    const child = spawn(state.java, args, {
      cwd: state.stateDir,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolvePromise) => child.once('error', resolvePromise));
      throw new KafkaClusterError(
        'REPOLENS_KAFKA_START_FAILED',
        `could not start ${state.java} for node ${node.nodeId}: ${error.message}`,
        { cause: error },
      );
    }
    child.on('error', () => {});
    child.unref();
    return pid;
  } finally {
    closeSync(logFd);
  }
}

// ---------------------------------------------------------------------------------------------
// Readiness

/** Until every given node accepts connections and appears (unfenced) in cluster metadata. */
async function waitUntilReady(
  state: KafkaClusterState,
  nodes: readonly KafkaNodeState[],
  deadline: number,
): Promise<void> {
  await waitForPorts(nodes, deadline);
  await waitForBrokersInMetadata(state, nodes, deadline);
}

async function waitForPorts(nodes: readonly KafkaNodeState[], deadline: number): Promise<void> {
  const pending = new Set(nodes);
  while (pending.size > 0) {
    for (const node of pending) {
      assertNodeAlive(node);
      if (await canConnect(node.clientPort)) pending.delete(node);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const ports = [...pending].map((node) => node.clientPort).join(', ');
      throw new Error(`timed out waiting for client port(s) ${ports} to accept connections`);
    }
    await delay(500);
  }
}

async function waitForBrokersInMetadata(
  state: KafkaClusterState,
  nodes: readonly KafkaNodeState[],
  deadline: number,
): Promise<void> {
  let missing: number[] = nodes.map((node) => node.nodeId);
  let lastError = '';
  await withAdmin(state.brokers, async (admin) => {
    for (;;) {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true }).catch((error: unknown) => {
        lastError = `; last error: ${errorMessage(error)}`;
        return undefined;
      });
      if (metadata !== undefined && metadata.id !== state.clusterId) {
        throw new KafkaClusterError(
          'REPOLENS_KAFKA_PORT_IN_USE',
          `${state.brokers} answer for another Kafka cluster (${metadata.id}, not ${state.clusterId})`,
        );
      }
      missing = nodes.map((node) => node.nodeId).filter((id) => metadata?.brokers.has(id) !== true);
      if (missing.length === 0) return;
      for (const node of nodes) assertNodeAlive(node);
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for broker(s) ${missing.join(', ')} in cluster metadata${lastError}`);
      }
      await delay(500);
    }
  });
}

/**
 * Creates __consumer_offsets while every broker is up: with replication factor 3 it cannot be
 * created once a fault test has killed a broker, and consumer groups would then never form.
 */
async function warmUpGroupCoordinator(state: KafkaClusterState, deadline: number): Promise<void> {
  let lastError = '';
  await withAdmin(state.brokers, async (admin) => {
    for (;;) {
      try {
        const [coordinator] = await admin.findCoordinator({
          keyType: FindCoordinatorKeyTypes.GROUP,
          keys: ['repolens-kafka-cluster-warm-up'],
        });
        if (coordinator !== undefined && coordinator.nodeId >= 0) return;
      } catch (error) {
        lastError = `: ${errorMessage(error)}`;
      }
      if (Date.now() > deadline) throw new Error(`group coordinator never became available${lastError}`);
      await delay(500);
    }
  });
}

async function withAdmin<T>(brokers: string, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({
    clientId: 'repolens-kafka-cluster',
    bootstrapBrokers: brokers.split(','),
    // The callers poll with their own deadline; the client's retries would only hide progress.
    retries: 0,
    timeout: 5_000,
  });
  try {
    return await use(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}

function canConnect(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: KAFKA_HOST, port });
    const finish = (connected: boolean): void => {
      socket.destroy();
      resolvePromise(connected);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

function assertNodeAlive(node: KafkaNodeState): void {
  if (!isNodeAlive(node)) {
    throw new Error(`node ${node.nodeId} (pid ${node.pid}) exited; see ${node.logPath}`);
  }
}

// ---------------------------------------------------------------------------------------------
// State file and processes

export function stateFilePath(stateDir: string): string {
  return join(resolve(stateDir), STATE_FILE);
}

/** The recorded cluster, whether or not its processes still run; null when none is recorded. */
export async function loadClusterState(stateDir: string): Promise<KafkaClusterState | null> {
  let text: string;
  try {
    text = await readFile(stateFilePath(stateDir), 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return null;
    throw error;
  }
  const state = JSON.parse(text) as KafkaClusterState;
  return state.formatVersion === 1 && Array.isArray(state.nodes) ? state : null;
}

/** The recorded cluster if every one of its nodes is running, else null. */
export async function readClusterState(stateDir: string): Promise<KafkaClusterState | null> {
  const state = await loadClusterState(stateDir);
  if (state === null || state.nodes.length === 0) return null;
  return state.nodes.every((node) => isNodeAlive(node)) ? state : null;
}

async function writeClusterState(state: KafkaClusterState): Promise<void> {
  const target = stateFilePath(state.stateDir);
  const temporary = `${target}.${process.pid}.tmp`;
  // Rename is atomic, so a concurrent reader never sees half a file.
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, target);
}

/**
 * Whether the recorded process still runs this node. Checks the command line on Linux so a
 * recycled pid, or a zombie awaiting its parent, does not count as a live broker.
 */
export function isNodeAlive(node: Pick<KafkaNodeState, 'pid' | 'propertiesPath'>): boolean {
  if (!Number.isInteger(node.pid) || node.pid <= 0) return false;
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${node.pid}/stat`, 'utf8');
      const status = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (status === 'Z' || status === 'X') return false;
      const cmdline = readFileSync(`/proc/${node.pid}/cmdline`, 'utf8');
      return cmdline.includes('kafka.Kafka') && cmdline.includes(node.propertiesPath);
    } catch {
      return false;
    }
  }
  try {
    process.kill(node.pid, 0);
    return true;
  } catch (error) {
    return isErrnoException(error) && error.code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'ESRCH') throw error;
  }
}

async function waitForExit(nodes: readonly KafkaNodeState[], deadline: number): Promise<KafkaNodeState[]> {
  for (;;) {
    const alive = filterAlive(nodes);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await delay(100);
  }
}

function filterAlive(nodes: readonly KafkaNodeState[]): KafkaNodeState[] {
  return nodes.filter((node) => isNodeAlive(node));
}

async function killNodes(
  nodes: readonly KafkaNodeState[],
  signal: NodeJS.Signals,
  waitMs: number,
): Promise<KafkaNodeState[]> {
  const alive = filterAlive(nodes);
  for (const node of alive) signalGroup(node.pid, signal);
  return waitForExit(alive, Date.now() + waitMs);
}

// ---------------------------------------------------------------------------------------------
// Stopping, killing, restarting

export interface StopClusterOptions {
  /** How long brokers get to shut down cleanly after SIGTERM before SIGKILL. */
  graceMs?: number;
  log?: Logger;
}

/**
 * Stops every recorded node (SIGTERM, then SIGKILL after the grace period) and removes the data
 * directories and the state file; properties and logs stay for post-mortems. Returns whether a
 * cluster was recorded.
 */
export async function stopCluster(stateDir: string, options: StopClusterOptions = {}): Promise<boolean> {
  const state = await loadClusterState(stateDir);
  if (state === null) return false;
  const log = options.log ?? silent;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const survivors = await killNodes(state.nodes, 'SIGTERM', graceMs);
  if (survivors.length > 0) {
    log(`node(s) ${survivors.map((node) => node.nodeId).join(', ')} still shutting down after ${graceMs} ms; killing`);
  }
  const stubborn = await killNodes(survivors, 'SIGKILL', 10_000);
  if (stubborn.length > 0) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_STOP_FAILED',
      `pid(s) ${stubborn.map((node) => node.pid).join(', ')} survived SIGKILL`,
    );
  }
  await Promise.all(state.nodes.map((node) => rm(node.dataDir, { recursive: true, force: true })));
  await rm(stateFilePath(state.stateDir), { force: true });
  return true;
}

/**
 * Last resort for `process.on('exit')` handlers, where nothing asynchronous runs: SIGKILLs every
 * recorded node without waiting, so an interrupted test run does not leave brokers behind.
 */
export function killClusterSync(stateDir: string): void {
  let state: KafkaClusterState;
  try {
    state = JSON.parse(readFileSync(stateFilePath(stateDir), 'utf8')) as KafkaClusterState;
  } catch {
    return;
  }
  for (const node of state.nodes ?? []) {
    if (isNodeAlive(node)) signalGroup(node.pid, 'SIGKILL');
  }
}

/** SIGKILLs one node's process group (a crash, not a shutdown) and waits until it is gone. */
export async function killNode(state: KafkaClusterState, nodeId: number): Promise<void> {
  const node = findNode((await loadClusterState(state.stateDir)) ?? state, nodeId);
  const survivors = await killNodes([node], 'SIGKILL', 10_000);
  if (survivors.length > 0) {
    throw new KafkaClusterError('REPOLENS_KAFKA_STOP_FAILED', `node ${nodeId} (pid ${node.pid}) survived SIGKILL`);
  }
}

export interface RestartNodeOptions {
  readyTimeoutMs?: number;
  log?: Logger;
}

/**
 * Starts a stopped node again with its old properties and data, records its new pid, and waits
 * until it accepts connections and is back (unfenced) in cluster metadata. A node that is still
 * running is left alone.
 */
export async function restartNode(
  state: KafkaClusterState,
  nodeId: number,
  options: RestartNodeOptions = {},
): Promise<KafkaClusterState> {
  // The file is the truth: another process may have restarted other nodes since `state` was read.
  const current = (await loadClusterState(state.stateDir)) ?? state;
  const node = findNode(current, nodeId);
  if (isNodeAlive(node)) return current;

  (options.log ?? silent)(`restarting node ${nodeId} (log: ${node.logPath})`);
  const restarted: KafkaNodeState = { ...node, pid: await spawnNode(current, node, 'a') };
  const updated: KafkaClusterState = {
    ...current,
    nodes: current.nodes.map((n) => (n.nodeId === nodeId ? restarted : n)),
  };
  await writeClusterState(updated);
  try {
    await waitUntilReady(updated, [restarted], Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS));
  } catch (error) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_START_FAILED',
      `node ${nodeId} did not come back: ${errorMessage(error)}\n${await describeLogs([restarted])}`,
      { cause: error },
    );
  }
  return updated;
}

function findNode(state: KafkaClusterState, nodeId: number): KafkaNodeState {
  const node = state.nodes.find((candidate) => candidate.nodeId === nodeId);
  if (node === undefined) {
    throw new KafkaClusterError(
      'REPOLENS_KAFKA_UNKNOWN_NODE',
      `no node ${nodeId} in the cluster recorded in ${state.stateDir} (nodes: ${state.nodes.map((n) => n.nodeId).join(', ')})`,
    );
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics and child processes

/** Log locations plus the last lines of each, for error messages. */
export async function describeLogs(nodes: readonly Pick<KafkaNodeState, 'nodeId' | 'logPath'>[]): Promise<string> {
  const sections = await Promise.all(
    nodes.map(async (node) => {
      const text = await readFile(node.logPath, 'utf8').catch(() => '(no log written)');
      return `--- node ${node.nodeId}: ${node.logPath} (last ${LOG_TAIL_LINES} lines) ---\n${tail(text, LOG_TAIL_LINES)}`;
    }),
  );
  return sections.join('\n');
}

interface CommandResult {
  exitCode: number | null;
  output: string;
  error?: Error;
}

function runCommand(command: string, args: string[], options: { cwd: string }): Promise<CommandResult> {
  return new Promise((resolvePromise) => {
    const chunks: Buffer[] = [];
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => {
      resolvePromise({ exitCode: null, output: Buffer.concat(chunks).toString('utf8'), error });
    });
    child.once('close', (exitCode) => {
      resolvePromise({ exitCode, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function spawnFailure(result: CommandResult): string {
  if (result.error === undefined) return ` (exit code ${String(result.exitCode)})`;
  return ` (${result.error.message}; is Java 17+ installed, on PATH or in JAVA_HOME?)`;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? '';
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
