import { createMemoryBroker, createMemoryBus, createMemoryBusAdmin } from '../../src/adapters/bus-memory/index.js';
import { describeConsumerRuntimeContract } from './consumer-runtime.contract.js';

describeConsumerRuntimeContract(
  'bus-memory',
  async () => {
    const broker = createMemoryBroker();
    const bus = createMemoryBus(broker);
    const admin = createMemoryBusAdmin(broker);
    return {
      bus,
      admin,
      newBus: async () => createMemoryBus(broker),
      close: async () => {
        await bus.close();
        await admin.close();
      },
    };
  },
  2_000,
);
