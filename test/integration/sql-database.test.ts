import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStore, type SqlDatabase } from '../../src/adapters/sql/index.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../support/sql-database.js';

describe.each(TEST_DATABASE_KINDS)('SqlDatabase on %s', (kind) => {
  const opened: SqlDatabase[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((database) => database.close()));
  });

  it('serves several store views over one connection and refuses queries once closed', async () => {
    const database = await openTestDatabase(kind, 'sqldb');
    opened.push(database);
    const store = createSqlStore(database);
    expect(await store.countByStatus()).toMatchObject({ cloning: 0, analyzed: 0 });
    const rows = await database.executor.query<{ n: number }>('SELECT count(*)::int AS n FROM repository_status');
    expect(rows).toEqual([{ n: 0 }]);
    await database.close();
    await expect(store.countByStatus()).rejects.toMatchObject({ code: 'REPOLENS_STORE_CLOSED' });
    await expect(database.executor.query('SELECT 1')).rejects.toMatchObject({ code: 'REPOLENS_STORE_CLOSED' });
  });
});
