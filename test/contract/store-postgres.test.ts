/** The Store contract on the local PostgreSQL (with pgvector), one fresh schema per test. */
import { DatabaseError } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { mapPostgresError } from '../../src/adapters/store-postgres/index.js';
import { bundledMigrations } from '../../src/adapters/sql/index.js';
import { createPostgresStore } from '../../src/adapters/store-postgres/index.js';
import { isRepolensError } from '../../src/domain/errors.js';
import { createTestSchema, databaseUrl, type TestSchema } from '../support/postgres.js';
import { at, describeStoreContract, status, type StoreFixture } from './store.contract.js';

describeStoreContract('store-postgres', async (): Promise<StoreFixture> => {
  const schema = await createTestSchema('store_contract');
  const stores: ReturnType<typeof createPostgresStore>[] = [];
  return {
    open: async (options = {}) => {
      const store = createPostgresStore({
        connectionString: databaseUrl(),
        schema: schema.schema,
        poolSize: 4,
        ...options,
      });
      stores.push(store);
      return store;
    },
    close: async () => {
      await Promise.allSettled(stores.map((store) => store.close()));
      await schema.drop();
    },
  };
});

describe('store-postgres specifics', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    await Promise.allSettled(schemas.map((schema) => schema.drop()));
  });

  it('concurrent starters migrate once, into the schema they were given', async () => {
    const schema = await createTestSchema('store_migrate_race');
    schemas.push(schema);
    // Drop the schema createTestSchema made: migrate() must create it.
    await schema.pool().query(`DROP SCHEMA ${schema.schema}`);
    const stores = [0, 1, 2].map(() =>
      createPostgresStore({ connectionString: databaseUrl(), schema: schema.schema, poolSize: 2 }),
    );
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      const { rows } = await schema
        .pool()
        .query<{ version: number }>(`SELECT version FROM ${schema.schema}.repolens_migrations`);
      expect(rows.map((row) => row.version).sort((a, b) => a - b)).toEqual(bundledMigrations().map((m) => m.version));
      const [first] = stores;
      await first?.recordStatus(status('https://h/x', 'cloning', 0, at(0)), { messageKey: 'k' });
      const { rows: tables } = await schema
        .pool()
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'repository_status'`,
        );
      expect(tables[0]?.n).toBe(0);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('an unreachable server is REPOLENS_UNAVAILABLE and retryable', async () => {
    const store = createPostgresStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      connectTimeoutMs: 2_000,
    });
    try {
      const error: unknown = await store.migrate().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isRepolensError(error) && error.code).toBe('REPOLENS_UNAVAILABLE');
      expect(isRepolensError(error) && error.retryable).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('maps server shutdown and connection-class SQLSTATEs to REPOLENS_UNAVAILABLE', () => {
    for (const code of ['57P01', '08006', '08001', '53300']) {
      const error = new DatabaseError('terminating connection due to administrator command', 0, 'error');
      error.code = code;
      const mapped = mapPostgresError(error, 'db');
      expect(isRepolensError(mapped) && [mapped.code, mapped.retryable]).toEqual(['REPOLENS_UNAVAILABLE', true]);
    }
    const syntax = new DatabaseError('syntax error', 0, 'error');
    syntax.code = '42601';
    expect(mapPostgresError(syntax, 'db')).toBe(syntax);
  });

  it('refuses a schema name that would need quoting', () => {
    expect(() => createPostgresStore({ connectionString: databaseUrl(), schema: 'Bad-Name' })).toThrow(/schema/);
  });
});
