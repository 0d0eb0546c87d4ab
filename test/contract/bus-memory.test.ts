/** The MessageBus contract against the in-process broker: a fresh broker per test. */
import { createMemoryBroker, createMemoryBus, createMemoryBusAdmin } from '../../src/adapters/bus-memory/index.js';
import type { MessageBus } from '../../src/ports/message-bus.js';
import { describeMessageBusContract, type BusFixture } from './message-bus.contract.js';

describeMessageBusContract(
  'bus-memory',
  async (): Promise<BusFixture> => {
    const broker = createMemoryBroker();
    const bus = createMemoryBus(broker);
    const admin = createMemoryBusAdmin(broker);
    const others: MessageBus[] = [];
    return {
      bus,
      admin,
      newBus: async () => {
        const other = createMemoryBus(broker);
        others.push(other);
        return other;
      },
      close: async () => {
        await Promise.all([...others, bus].map((b) => b.close()));
        await admin.close();
      },
    };
  },
  { settleMs: 2_000 },
);
