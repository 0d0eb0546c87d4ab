/**
 * The Store port on PGlite (embedded mode): PostgreSQL in-process with pgvector, kept in a data
 * directory that this process locks (data-dir-lock.ts), or in memory for tests.
 */
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Store } from '../../ports/store.js';
import { createSqlDatabase, createSqlStore, type Migration, type SqlDatabase } from '../sql/index.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { pgliteExecutor } from './pglite-executor.js';

export interface PgliteStoreOptions {
  /** Directory holding the database (created if missing); undefined or `memory://` for memory. */
  readonly dataDir?: string;
  /** Default: the migrations repolens ships. For tests and tools. */
  readonly migrations?: readonly Migration[];
}

export const MEMORY_DATA_DIR = 'memory://';

/** Opens (does not migrate) the PGlite database; every store view shares it. */
export async function openPgliteDatabase(options: PgliteStoreOptions = {}): Promise<SqlDatabase> {
  const requested = options.dataDir;
  const dataDir = requested === undefined || requested.startsWith(MEMORY_DATA_DIR) ? undefined : resolve(requested);
  const databaseLabel = dataDir === undefined ? 'the in-memory PGlite database' : `the PGlite database in ${dataDir}`;

  // The lock comes first: PGlite must never open a directory another process has open.
  const lock: DataDirLock | undefined = dataDir === undefined ? undefined : await acquireDataDirLock(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir, extensions: { vector } });
  } catch (error: unknown) {
    await lock?.release();
    throw error;
  }

  return createSqlDatabase({
    executor: pgliteExecutor(db),
    databaseLabel,
    migrations: options.migrations,
    close: async () => {
      try {
        await db.close();
      } finally {
        await lock?.release();
      }
    },
  });
}

export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<Store> {
  return createSqlStore(await openPgliteDatabase(options));
}
