/** Shared SQL for the store adapters; see README.md. */
export { checksumOf, MigrationErrorCodes, runMigrations, type MigrateOptions } from './migrate.js';
export { bundledMigrations, type Migration } from './migrations.js';
export {
  createSqlDatabase,
  DatabaseErrorCodes,
  isDatabaseClosed,
  type SqlDatabase,
  type SqlDatabaseOptions,
} from './sql-database.js';
export type { SqlExecutor, SqlParam } from './sql-executor.js';
export { sqlState } from './sql-state.js';
export { createSqlStore, StoreErrorCodes } from './sql-store.js';
export { ChunkIndexErrorCodes, createSqlChunkIndex, type SqlChunkIndexOptions } from './chunk-index.js';
export { createSqlReportStore, ReportStoreErrorCodes } from './report-store.js';
export { createSqlManifestStore } from './manifest-store.js';
