/**
 * Kill -9 one of the three brokers while 20,000 task messages are produced and consumed: every
 * message is handled at least once and none is lost; duplicates are counted and printed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import { encodeMessage, Topics, type TaskMessage } from '../../src/contracts/index.js';
import type { OutgoingMessage } from '../../src/ports/message-bus.js';
import {
  createTestAdmin,
  kafkaBrokers,
  kafkaFaultsAvailable,
  killBroker,
  restartBroker,
  uniqueName,
} from '../support/kafka.js';
import { eventually } from '../support/wait.js';

const TOTAL = 20_000;
const BATCH = 250;

function taskMessage(topic: string, i: number): OutgoingMessage {
  const url = `https://git.example.test/org/repo-${i % 400}`;
  const task: TaskMessage = {
    task_id: randomUUID(),
    repository_url: url,
    task_type: 'select_files',
    created_at: new Date().toISOString(),
    status: 'pending',
    metadata: { priority: 3, retry_count: 0 },
  };
  return { topic, key: url, value: encodeMessage(Topics.tasks, task), headers: { 'x-seq': String(i) } };
}

describe.runIf(kafkaFaultsAvailable())('a broker killed with SIGKILL under load', () => {
  it('loses no message among 20,000 produced and consumed', async () => {
    const topic = uniqueName('fault-broker-kill');
    const admin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('fault-admin') });
    const producer = createKafkaBus({
      brokers: kafkaBrokers(),
      clientId: uniqueName('fault-producer'),
      produceTimeoutMs: 60_000,
    });
    const consumer = createKafkaBus({
      brokers: kafkaBrokers(),
      clientId: uniqueName('fault-consumer'),
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      rebalanceTimeoutMs: 20_000,
    });
    const raw = createTestAdmin();
    const counts = new Map<number, number>();
    let produceRetries = 0;
    let killed: number | undefined;
    try {
      await admin.createTopics([
        { name: topic, partitions: 5, replicationFactor: 3, config: { 'min.insync.replicas': '2' } },
      ]);
      const subscription = await consumer.subscribe({
        groupId: uniqueName('fault-group'),
        topics: [topic],
        concurrency: 16,
        handler: async (message) => {
          const seq = Number(message.headers['x-seq']);
          counts.set(seq, (counts.get(seq) ?? 0) + 1);
        },
      });
      subscription.done.catch(() => undefined);

      // The victim leads partition 0 of our topic, so the kill forces a leader election.
      const metadata = await raw.metadata({ topics: [topic], forceUpdate: true });
      const victim = metadata.topics.get(topic)?.partitions[0]?.leader ?? 1;
      for (let start = 0; start < TOTAL; start += BATCH) {
        if (start === TOTAL / 4) {
          await killBroker(victim, { waitUntilFenced: false });
          killed = victim;
        }
        const batch = Array.from({ length: Math.min(BATCH, TOTAL - start) }, (_, i) => taskMessage(topic, start + i));
        for (;;) {
          try {
            await producer.produce(batch);
            break;
          } catch (error) {
            // At-least-once from the producer's side too: a batch that failed is sent again.
            produceRetries++;
            if (produceRetries % 10 === 1)
              process.stdout.write(`produce failed (retry ${produceRetries}): ${String(error)}\n`);
            if (produceRetries > 100) throw error;
          }
        }
      }
      await eventually('every message to be handled', () => counts.size === TOTAL, 180_000, 250);
      const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      process.stdout.write(
        `broker kill -9 (node ${victim}) under load: ${TOTAL} produced, ${counts.size} handled, ` +
          `${duplicates} duplicate deliveries, ${produceRetries} produce retries\n`,
      );
      expect(counts.size).toBe(TOTAL);
      await subscription.close({ graceMs: 5_000 });
    } finally {
      // Other test files share this cluster: it must have all its brokers back, pass or fail.
      if (killed !== undefined) await restartBroker(killed);
      await consumer.close();
      await producer.close();
      await admin.close();
      await raw.close();
    }
  }, 420_000);
});
