/** A Kafka bus fixture on the test cluster for the contract suites; deletes its topics afterwards. */
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus } from '../../src/ports/message-bus.js';
import { createTestAdmin, kafkaBrokers, uniqueName } from './kafka.js';
import type { BusFixture } from '../contract/message-bus.contract.js';

/** Short group timeouts so joins, leaves and rebalances take about a second. */
function testBus(): MessageBus {
  return createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueName('contract-bus'),
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    rebalanceTimeoutMs: 10_000,
  });
}

export async function kafkaFixture(): Promise<BusFixture> {
  const buses: MessageBus[] = [testBus()];
  const inner = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('contract-admin') });
  const topics: string[] = [];
  // Records the topics a test creates, so teardown can delete them from the shared cluster.
  const admin: BusAdmin = {
    ...inner,
    createTopics: async (newTopics) => {
      topics.push(...newTopics.map((t) => t.name));
      await inner.createTopics(newTopics);
    },
  };
  return {
    bus: buses[0] as MessageBus,
    admin,
    newBus: async () => {
      const bus = testBus();
      buses.push(bus);
      return bus;
    },
    close: async () => {
      await Promise.allSettled(buses.map((bus) => bus.close()));
      await inner.close();
      if (topics.length === 0) return;
      const cleanup = createTestAdmin();
      try {
        await cleanup.deleteTopics({ topics });
      } finally {
        await cleanup.close();
      }
    },
  };
}
