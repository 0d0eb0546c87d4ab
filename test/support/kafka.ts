/**
 * Kafka helpers for tests, backed by the cluster that test/global-setup.ts provides: either its
 * own (3 nodes on 19192/29192/39192) or the one named by KAFKA_BROKERS. Fault helpers need the
 * cluster's state file; against an external cluster without one, `kafkaFaultsAvailable()` is
 * false and tests that kill brokers should skip.
 */
import { randomBytes } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import { inject } from 'vitest';
import { killNode, loadClusterState, restartNode, type KafkaClusterState } from '../../scripts/kafka-cluster.js';
import { eventually } from './wait.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list; empty when the run started no cluster. */
    kafkaBrokers: string;
    /** Directory of the cluster's state file, or null when the cluster cannot be faulted. */
    kafkaStateDir: string | null;
  }
}

export function kafkaBrokers(): string[] {
  const brokers = inject('kafkaBrokers');
  if (brokers === '') {
    throw new Error(
      'no Kafka cluster was started for this run: test/global-setup.ts found no selected test file importing ' +
        'test/support/kafka.ts; import it from the test file or set KAFKA_TEST_CLUSTER=always',
    );
  }
  return brokers.split(',');
}

export function kafkaFaultsAvailable(): boolean {
  const available = inject('kafkaStateDir') !== null;
  // In CI the suite starts its own cluster, so fault tests must run: never let them skip there.
  if (!available && process.env['CI'] === 'true') {
    throw new Error(
      'CI=true but the Kafka cluster cannot be faulted (no state file): fault tests must not be skipped in CI',
    );
  }
  return available;
}

/** Topic, group and client names no other test (or earlier run on the same cluster) uses. */
export function uniqueName(prefix: string): string {
  const safePrefix = prefix.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 150);
  return `${safePrefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** The caller closes it (`await admin.close()`), typically in afterAll/afterEach. */
export function createTestAdmin(clientId = uniqueName('test-admin')): Admin {
  return new Admin({ clientId, bootstrapBrokers: kafkaBrokers() });
}

/** Node ids of the live (registered and unfenced) brokers. */
export async function liveBrokerIds(admin: Admin): Promise<number[]> {
  const metadata = await admin.metadata({ topics: [], forceUpdate: true });
  return [...metadata.brokers.keys()].sort((a, b) => a - b);
}

async function faultableCluster(): Promise<KafkaClusterState> {
  const stateDir = inject('kafkaStateDir');
  const state = stateDir === null ? null : await loadClusterState(stateDir);
  if (state === null) {
    throw new Error(
      'this Kafka cluster has no state file, so brokers cannot be killed; guard the test with kafkaFaultsAvailable()',
    );
  }
  return state;
}

export interface KillBrokerOptions {
  /**
   * Wait until the controller has fenced the broker (it leaves the metadata and its partitions
   * get new leaders), which takes up to broker.session.timeout.ms (9 s). Default true.
   */
  waitUntilFenced?: boolean;
  timeoutMs?: number;
}

/** kill -9 of one broker's JVM, as in a crash. */
export async function killBroker(nodeId: number, options: KillBrokerOptions = {}): Promise<void> {
  await killNode(await faultableCluster(), nodeId);
  if (options.waitUntilFenced === false) return;
  const admin = createTestAdmin();
  try {
    await eventually(
      `broker ${nodeId} to leave the cluster metadata`,
      async () => !(await liveBrokerIds(admin).catch(() => [nodeId])).includes(nodeId),
      options.timeoutMs ?? 60_000,
      500,
    );
  } finally {
    await admin.close();
  }
}

/** Starts a killed broker again with its data; resolves once it is back in the metadata. */
export async function restartBroker(nodeId: number, options: { timeoutMs?: number } = {}): Promise<void> {
  await restartNode(await faultableCluster(), nodeId, { readyTimeoutMs: options.timeoutMs ?? 90_000 });
}
