/**
 * Gives the test run a Kafka cluster. With KAFKA_BROKERS set (e.g. from `npm run kafka:up`) the
 * tests use that cluster and leave it running; its state file (KAFKA_STATE_DIR, default .kafka)
 * still lets fault tests kill and restart its brokers when it describes the same brokers.
 * Otherwise a private cluster (KAFKA_NODES, default 3) starts on ports shifted by
 * KAFKA_TEST_PORT_OFFSET (default 100: 19192, 29192, 39192; the next free hundred when another
 * run holds them) and is removed at the end of the run.
 *
 * The private cluster costs 10-30 s on 2 cores, so it only starts when a selected test file
 * imports test/support/kafka.ts (directly or through relative imports), in watch mode, or with
 * KAFKA_TEST_CLUSTER=always.
 *
 * Tests read the cluster through test/support/kafka.ts (vitest `inject`); the same values are
 * also put in process.env for code under test that reads KAFKA_BROKERS.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  KafkaClusterError,
  defaultStateDir,
  ensureKafkaJars,
  killClusterSync,
  loadClusterState,
  repoRoot,
  startCluster,
  stopCluster,
  type KafkaClusterState,
} from '../scripts/kafka-cluster.js';

const kafkaSupportModule = join(repoRoot, 'test', 'support', 'kafka.ts');
const PORT_OFFSET_STEP = 100;
const PORT_OFFSET_CANDIDATES = 10;

function progress(message: string): void {
  process.stderr.write(`[kafka] ${message}\n`);
}

function integerEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return Number(raw);
}

function sameBrokers(a: string, b: string): boolean {
  const normalise = (list: string): string =>
    list
      .split(',')
      .map((s) => s.trim())
      .sort()
      .join(',');
  return normalise(a) === normalise(b);
}

function share(project: TestProject, brokers: string, stateDir: string | null): void {
  project.provide('kafkaBrokers', brokers);
  project.provide('kafkaStateDir', stateDir);
  if (brokers === '') delete process.env['KAFKA_BROKERS'];
  else process.env['KAFKA_BROKERS'] = brokers;
  if (stateDir === null) delete process.env['KAFKA_STATE_DIR'];
  else process.env['KAFKA_STATE_DIR'] = stateDir;
}

async function useExternalCluster(project: TestProject, brokers: string): Promise<void> {
  const stateDir = resolve(process.env['KAFKA_STATE_DIR'] || defaultStateDir);
  const state = await loadClusterState(stateDir);
  const faultable = state !== null && sameBrokers(state.brokers, brokers);
  progress(
    `using KAFKA_BROKERS=${brokers}${faultable ? ` (state: ${stateDir})` : ' (no state file: fault tests skip)'}`,
  );
  share(project, brokers, faultable ? stateDir : null);
}

/** Whether a selected test file reaches test/support/kafka.ts through relative static imports. */
async function selectionNeedsKafka(project: TestProject): Promise<boolean> {
  if (process.env['KAFKA_TEST_CLUSTER'] === 'always' || project.vitest.config.watch) return true;
  // The CLI's file filters are internal to Vitest; without them every test file counts.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  const visited = new Set<string>();
  for (const file of testFiles) {
    if (await importsKafkaSupport(resolve(file), visited)) return true;
  }
  return false;
}

async function importsKafkaSupport(file: string, visited: Set<string>): Promise<boolean> {
  if (file === kafkaSupportModule) return true;
  if (visited.has(file)) return false;
  visited.add(file);
  const source = await readFile(file, 'utf8').catch(() => '');
  for (const match of source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolveRelativeImport(dirname(file), match[1] ?? '');
    if (target !== undefined && (await importsKafkaSupport(target, visited))) return true;
  }
  return false;
}

function resolveRelativeImport(fromDir: string, specifier: string): string | undefined {
  const base = resolve(fromDir, specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}

/** Tries successive port offsets so concurrent test runs on one machine do not collide. */
async function startOnFreePorts(stateDir: string, libsDir: string): Promise<KafkaClusterState> {
  const firstOffset = integerEnv('KAFKA_TEST_PORT_OFFSET', 100);
  for (let index = 0; ; index += 1) {
    const portOffset = firstOffset + index * PORT_OFFSET_STEP;
    try {
      return await startCluster({ stateDir, nodes: integerEnv('KAFKA_NODES', 3), portOffset, libsDir, log: progress });
    } catch (error) {
      const portsTaken = error instanceof KafkaClusterError && error.code === 'REPOLENS_KAFKA_PORT_IN_USE';
      if (!portsTaken || index + 1 >= PORT_OFFSET_CANDIDATES) throw error;
      progress(`ports for offset ${portOffset} are taken, trying ${portOffset + PORT_OFFSET_STEP}`);
    }
  }
}

async function startPrivateCluster(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'repolens-kafka-'));
  // Vitest may exit on a signal without running teardowns; the detached brokers would outlive it.
  const killOnExit = (): void => {
    killClusterSync(stateDir);
    rmSync(stateDir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.once('exit', killOnExit);
  const startedAt = Date.now();
  try {
    const state = await startOnFreePorts(stateDir, await ensureKafkaJars({ log: progress }));
    progress(`cluster up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${state.brokers} (logs: ${stateDir})`);
    share(project, state.brokers, stateDir);
  } catch (error) {
    process.off('exit', killOnExit);
    await removeIfEmpty(stateDir);
    throw error;
  }

  return async () => {
    process.off('exit', killOnExit);
    // The data is thrown away, so a short grace period is enough.
    await stopCluster(stateDir, { graceMs: 3_000, log: progress });
    await rm(stateDir, { recursive: true, force: true });
  };
}

/** A failed start leaves its logs for diagnosis (the error names them); an empty dir is noise. */
async function removeIfEmpty(dir: string): Promise<void> {
  if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external !== '') {
    await useExternalCluster(project, external);
    return undefined;
  }
  if (!(await selectionNeedsKafka(project))) {
    share(project, '', null);
    return undefined;
  }
  return startPrivateCluster(project);
}
