/** The in-process message bus (embedded mode and fast tests); see README.md. */
export { createMemoryBroker, type MemoryBroker, type MemoryBrokerOptions, type TopicRequest } from './broker.js';
export { createMemoryBus, DEFAULT_CLOSE_GRACE_MS } from './memory-bus.js';
export { createMemoryBusAdmin } from './memory-bus-admin.js';
