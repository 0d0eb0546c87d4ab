/**
 * A migrated SqlDatabase for tests of the stores built on it (manifests, chunks, reports):
 * PGlite in memory, or the real PostgreSQL server in a schema of its own, dropped on close.
 */
import type { SqlDatabase } from '../../src/adapters/sql/index.js';
import { openPgliteDatabase } from '../../src/adapters/store-pglite/index.js';
import { openPostgresDatabase } from '../../src/adapters/store-postgres/index.js';
import { createTestSchema, databaseUrl } from './postgres.js';

export type TestDatabaseKind = 'pglite' | 'postgres';

export const TEST_DATABASE_KINDS: readonly TestDatabaseKind[] = ['pglite', 'postgres'];

/** Opens and migrates a fresh database; `close()` also drops the PostgreSQL schema. */
export async function openTestDatabase(kind: TestDatabaseKind, prefix = 'db'): Promise<SqlDatabase> {
  if (kind === 'pglite') {
    const database = await openPgliteDatabase({ dataDir: 'memory://' });
    await database.migrate();
    return database;
  }
  const schema = await createTestSchema(prefix);
  const database = openPostgresDatabase({ connectionString: databaseUrl(), schema: schema.schema, poolSize: 4 });
  await database.migrate();
  return {
    executor: database.executor,
    label: database.label,
    migrate: () => database.migrate(),
    close: async () => {
      await database.close();
      await schema.drop();
    },
  };
}
