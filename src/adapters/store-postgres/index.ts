/** The Store on PostgreSQL with pgvector (distributed mode). */
export { isConnectionFailure, mapPostgresError, PostgresErrorCodes } from './connection-errors.js';
export { createPostgresStore, openPostgresDatabase, type PostgresStoreOptions } from './postgres-store.js';
