/** The Store on PGlite with pgvector (embedded mode). */
export {
  acquireDataDirLock,
  LOCK_FILE_NAME,
  LockErrorCodes,
  type DataDirLock,
  type LockHolder,
} from './data-dir-lock.js';
export { createPgliteStore, MEMORY_DATA_DIR, openPgliteDatabase, type PgliteStoreOptions } from './pglite-store.js';
