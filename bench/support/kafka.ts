/**
 * A Kafka cluster for a benchmark run: the one named by KAFKA_BROKERS, or a private 3-node
 * cluster started for the run (and stopped after it).
 */
import { Admin } from '@platformatic/kafka';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafkaJars, startCluster, stopCluster } from '../../scripts/kafka-cluster.js';

export interface BenchCluster {
  readonly brokers: string[];
  /** Topics (and their partitions) the cluster held before the bench began, internal ones left out. */
  readonly foreign: { readonly topics: number; readonly partitions: number };
  stop(): Promise<void>;
}

/**
 * What a reused cluster already holds. Every replicated partition costs the brokers CPU on every
 * replica fetch and group operation: the same bench on a cluster left with 122 topics by the test
 * suite measured the brokers at 29 s of CPU per run, against 15 s on a clean one, so figures
 * from such a cluster are not comparable.
 */
async function foreignTopics(brokers: string[]): Promise<BenchCluster['foreign']> {
  const admin = new Admin({ clientId: 'bench-cluster-check', bootstrapBrokers: brokers });
  try {
    const topics = (await admin.listTopics()).filter((name) => !name.startsWith('__'));
    if (topics.length === 0) return { topics: 0, partitions: 0 };
    const metadata = await admin.metadata({ topics });
    let partitions = 0;
    for (const topic of metadata.topics.values()) partitions += topic.partitionsCount;
    return { topics: topics.length, partitions };
  } finally {
    await admin.close();
  }
}

export async function benchCluster(log: (message: string) => void): Promise<BenchCluster> {
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external !== '') {
    log(`using KAFKA_BROKERS=${external}`);
    const brokers = external.split(',');
    const foreign = await foreignTopics(brokers);
    if (foreign.topics > 0) {
      log(
        `warning: the cluster already holds ${foreign.topics} topics (${foreign.partitions} partitions); ` +
          'brokers spend more per request with every partition, so these figures are not comparable ' +
          'with a clean cluster (npm run kafka:down && npm run kafka:up)',
      );
    }
    return { brokers, foreign, stop: async () => undefined };
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
    foreign: { topics: 0, partitions: 0 },
    stop: async () => {
      await stopCluster(stateDir, { graceMs: 3_000, log });
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
