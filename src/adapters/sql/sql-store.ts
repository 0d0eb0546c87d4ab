/**
 * The Store port on any SqlExecutor: the adapters supply the connection, the lock around
 * migrations' schema creation and their own close; everything else is this shared SQL.
 */
import { RepolensError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import { runMigrations } from './migrate.js';
import { bundledMigrations, type Migration } from './migrations.js';
import { recordStatus } from './record-status.js';
import type { SqlExecutor } from './sql-executor.js';
import { countByStatus, getRepository, listRepositories, stageDurationPercentiles } from './status-queries.js';

export const StoreErrorCodes = {
  /** The store was closed; a call after close() is a bug in the caller's lifecycle. */
  closed: 'REPOLENS_STORE_CLOSED',
} as const;

export interface SqlStoreOptions {
  readonly executor: SqlExecutor;
  /** Names the database in errors, without credentials. */
  readonly databaseLabel: string;
  /** Default: every migration this repolens ships. Tests pass others. */
  readonly migrations?: readonly Migration[];
  readonly prepareMigration?: (tx: SqlExecutor) => Promise<void>;
  /** Releases the adapter's resources; called once. */
  readonly close: () => Promise<void>;
}

export function createSqlStore(options: SqlStoreOptions): Store {
  const { executor, databaseLabel } = options;
  let closing: Promise<void> | undefined;

  const open = (): SqlExecutor => {
    if (closing !== undefined)
      throw new RepolensError(StoreErrorCodes.closed, `the store on ${databaseLabel} is closed`);
    return executor;
  };

  return {
    migrate: async () => {
      await runMigrations(open(), {
        migrations: options.migrations ?? bundledMigrations(),
        databaseLabel,
        prepare: options.prepareMigration,
      });
    },
    recordStatus: async (message, meta) => recordStatus(open(), message, meta),
    listRepositories: async (query) => listRepositories(open(), query),
    getRepository: async (url, getOptions) => getRepository(open(), url, getOptions),
    countByStatus: async () => countByStatus(open()),
    stageDurationPercentiles: async () => stageDurationPercentiles(open()),
    close: () => {
      closing ??= options.close();
      return closing;
    },
  };
}
