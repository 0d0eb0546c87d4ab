/** What the CLI needs from the composition root. */
import type { Config, ConfigInput } from '../config/schema.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { ChunkIndex } from '../ports/chunk-index.js';
import type { Embedder } from '../ports/embedder.js';
import type { ManifestStore } from '../ports/manifest-store.js';
import type { ReportStore } from '../ports/report-store.js';
import type { Store } from '../ports/store.js';
import type { ServiceEnvironment } from '../runtime/services.js';
import type { CliIo } from './io.js';
import type { LiveOutput } from './progress-view.js';

export interface KafkaConnection {
  /** Namespaced by the configured topic prefix. */
  readonly bus: MessageBus;
  readonly admin: BusAdmin;
  /** Calls `onRequest` with the API name of each request this process sends to the brokers. */
  readonly watchRequests?: (onRequest: (api: string) => void) => () => void;
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
  /**
   * Opens everything the services need: in `embedded` mode the in-process bus (topics created),
   * else Kafka; PostgreSQL when a database URL is configured, else PGlite in the data dir; the
   * git workspace (local paths allowed only with `allowLocal`), the stores and the embedder.
   */
  openEnvironment(config: Config, options: EnvironmentOptions): Promise<ServiceEnvironment>;
  /** The stores on the configured database (PostgreSQL, else PGlite in the data dir), migrated. */
  openStores(config: Config): Promise<StoreViews>;
  /** A live, redrawn output on stderr when it is a terminal; undefined otherwise. */
  liveOutput(): LiveOutput | undefined;
  /**
   * Aborted on SIGINT or SIGTERM: long-running commands drain and return. The first call installs
   * the handlers, so short commands keep the default (Ctrl-C stops them at once).
   */
  shutdownSignal(): AbortSignal;
  /** Resolves relative local paths given on the command line. */
  readonly cwd: string;
}

export interface StoreViews {
  readonly manifests: ManifestStore;
  readonly reports: ReportStore;
  readonly index: ChunkIndex;
  /** The configured embedder, for hybrid search; undefined means lexical search. */
  readonly embedder?: Embedder;
  close(): Promise<void>;
}

export interface EnvironmentOptions {
  readonly mode: 'embedded' | 'distributed';
  readonly allowLocal: boolean;
}
