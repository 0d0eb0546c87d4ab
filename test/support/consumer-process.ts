/**
 * A consumer group member in its own process, for tests that kill -9 a consumer. Usage:
 *   node --import tsx test/support/consumer-process.ts <brokers> <topic> <groupId> <handleMs>
 * Prints `ready` once subscribed, then one line per handled message: `handled <value>`.
 */
import { createKafkaBus } from '../../src/adapters/bus-kafka/index.js';
import { setTimeout as delay } from 'node:timers/promises';

const [brokers, topic, groupId, handleMs] = process.argv.slice(2);
if (brokers === undefined || topic === undefined || groupId === undefined) {
  process.stderr.write('usage: consumer-process.ts <brokers> <topic> <groupId> [handleMs]\n');
  process.exit(2);
}

const bus = createKafkaBus({
  brokers: brokers.split(','),
  clientId: `${groupId}-${process.pid}`,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 10_000,
});
const subscription = await bus.subscribe({
  groupId,
  topics: [topic],
  concurrency: 4,
  handler: async (message) => {
    await delay(Number(handleMs ?? 0));
    process.stdout.write(`handled ${message.value.toString('utf8')}\n`);
  },
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void subscription
    .close({ graceMs: 5_000 })
    .then(() => bus.close())
    .then(() => process.exit(0));
});
await subscription.done;
