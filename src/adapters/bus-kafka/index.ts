/** The Kafka adapters of the MessageBus and BusAdmin ports (see README.md). */
export { createKafkaBus } from './kafka-bus.js';
export { createKafkaBusAdmin } from './kafka-bus-admin.js';
export type { KafkaBusAdminOptions, KafkaBusOptions } from './options.js';
export type { BusLogger } from './logger.js';
export { watchKafkaRequests } from './request-watch.js';
