/**
 * SqlDatabase: one open database (a pg pool or a PGlite instance) with the shared migrations.
 * Every service's store (status, file manifest, chunks, reports) is a view over the same
 * database: DESIGN.md §2 keeps all tables in one schema. The composition root opens one,
 * migrates it once, builds the views it needs and closes it last.
 */
import { RepolensError } from '../../domain/errors.js';
import { runMigrations } from './migrate.js';
import { bundledMigrations, type Migration } from './migrations.js';
import type { SqlExecutor } from './sql-executor.js';

export interface SqlDatabase {
  /** Rejects with REPOLENS_STORE_CLOSED once the database is closed. */
  readonly executor: SqlExecutor;
  /** Names the database in errors, without credentials. */
  readonly label: string;
  /** Applies pending migrations under a lock; a no-op when none are pending. */
  migrate(): Promise<void>;
  /** Releases connections and locks. Safe twice. */
  close(): Promise<void>;
}

export interface SqlDatabaseOptions {
  readonly executor: SqlExecutor;
  readonly databaseLabel: string;
  /** Default: every migration this repolens ships. Tests pass others. */
  readonly migrations?: readonly Migration[];
  readonly prepareMigration?: (tx: SqlExecutor) => Promise<void>;
  /** Releases the adapter's resources; called once. */
  readonly close: () => Promise<void>;
}

export const DatabaseErrorCodes = {
  /** The database was closed; a call after close() is a bug in the caller's lifecycle. */
  closed: 'REPOLENS_STORE_CLOSED',
} as const;

export function createSqlDatabase(options: SqlDatabaseOptions): SqlDatabase {
  const { databaseLabel } = options;
  let closing: Promise<void> | undefined;
  const guard = (): SqlExecutor => {
    if (closing !== undefined)
      throw new RepolensError(DatabaseErrorCodes.closed, `the store on ${databaseLabel} is closed`);
    return options.executor;
  };
  // Every call checks the guard, so a view kept past close() fails clearly instead of
  // reaching a closed pool (or a PGlite instance whose directory another process now owns).
  const executor: SqlExecutor = {
    query: async (text, params) => guard().query(text, params),
    exec: async (script) => guard().exec(script),
    transaction: async (fn) => guard().transaction(fn),
  };
  return {
    executor,
    label: databaseLabel,
    migrate: async () => {
      await runMigrations(guard(), {
        migrations: options.migrations ?? bundledMigrations(),
        databaseLabel,
        prepare: options.prepareMigration,
      });
    },
    close: () => {
      closing ??= options.close();
      return closing;
    },
  };
}

/** For code that needs a database error code without importing the adapter. */
export function isDatabaseClosed(error: unknown): boolean {
  return error instanceof RepolensError && error.code === DatabaseErrorCodes.closed;
}
