/**
 * The Store port (repository status, runs, history) as a view over a SqlDatabase: the adapters
 * supply the database; everything else is this shared SQL.
 */
import type { Store } from '../../ports/store.js';
import { recordStatus } from './record-status.js';
import { DatabaseErrorCodes, type SqlDatabase } from './sql-database.js';
import { countByStatus, getRepository, listRepositories, stageDurationPercentiles } from './status-queries.js';

export const StoreErrorCodes = DatabaseErrorCodes;

/** `close()` on this store closes the whole database (it is the composition root's last call). */
export function createSqlStore(database: SqlDatabase): Store {
  const executor = database.executor;
  return {
    migrate: () => database.migrate(),
    recordStatus: async (message, meta) => recordStatus(executor, message, meta),
    listRepositories: async (query) => listRepositories(executor, query),
    getRepository: async (url, getOptions) => getRepository(executor, url, getOptions),
    countByStatus: async () => countByStatus(executor),
    stageDurationPercentiles: async () => stageDurationPercentiles(executor),
    close: () => database.close(),
  };
}
