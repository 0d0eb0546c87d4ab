/** What the CLI needs from the composition root. */
import type { Config, ConfigInput } from '../config/schema.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { Store } from '../ports/store.js';
import type { CliIo } from './io.js';

export interface KafkaConnection {
  /** Namespaced by the configured topic prefix. */
  readonly bus: MessageBus;
  readonly admin: BusAdmin;
  close(): Promise<void>;
}

export interface CliDeps {
  readonly io: CliIo;
  readonly version: string;
  /** Effective configuration from flags, environment, config file and defaults. */
  resolveConfig(flags: Partial<Record<keyof ConfigInput, unknown>>): Config;
  /** Connects to the configured Kafka cluster; fails clearly when no brokers are configured. */
  connectKafka(config: Config): Promise<KafkaConnection>;
  /** Opens (and migrates) the store: PostgreSQL when a database URL is configured, else PGlite in the data dir. */
  openStore(config: Config): Promise<Store>;
}
