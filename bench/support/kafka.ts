/**
 * A Kafka cluster for a benchmark run: the one named by KAFKA_BROKERS, or a private 3-node
 * cluster started for the run (and stopped after it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafkaJars, startCluster, stopCluster } from '../../scripts/kafka-cluster.js';

export interface BenchCluster {
  readonly brokers: string[];
  stop(): Promise<void>;
}

export async function benchCluster(log: (message: string) => void): Promise<BenchCluster> {
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external !== '') {
    log(`using KAFKA_BROKERS=${external}`);
    return { brokers: external.split(','), stop: async () => undefined };
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'repolens-bench-kafka-'));
  const state = await startCluster({
    stateDir,
    nodes: 3,
    portOffset: 300,
    libsDir: await ensureKafkaJars({ log }),
    log,
  });
  log(`started a 3-node cluster: ${state.brokers}`);
  return {
    brokers: state.brokers.split(','),
    stop: async () => {
      await stopCluster(stateDir, { graceMs: 3_000, log });
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
