/** The ReportStore contract on both databases: upsert by repository + commit, newest, previous, list. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlReportStore, type SqlDatabase } from '../../src/adapters/sql/index.js';
import type { ReportStore } from '../../src/ports/report-store.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../support/sql-database.js';
import { sampleReport } from '../unit/services/analysis/fixture.js';

const URL = 'https://example.com/acme/widget.git';
const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const C3 = '3'.repeat(40);

describe.each(TEST_DATABASE_KINDS)('report store on %s', (kind) => {
  let database: SqlDatabase;
  let store: ReportStore;
  beforeAll(async () => {
    database = await openTestDatabase(kind, 'reports');
    store = createSqlReportStore(database.executor);
  });
  afterAll(async () => database.close());

  it('returns nothing before anything is saved', async () => {
    expect(await store.get(URL)).toBeUndefined();
    expect(await store.previous(URL, C1)).toBeUndefined();
    expect(await store.list(URL)).toEqual([]);
  });

  it('saves a report with its renderings and reads it back unchanged', async () => {
    const report = sampleReport({ commit: C1, analyzedAt: '2024-01-01T00:00:00.000Z', score: 4.5 });
    await store.save(report, { markdown: '# one\n', html: '<p>one</p>' });
    const stored = await store.get(URL, C1);
    expect(stored?.report).toEqual(report);
    expect(stored?.markdown).toBe('# one\n');
    expect(stored?.html).toBe('<p>one</p>');
    expect(stored?.savedAt).toBeInstanceOf(Date);
  });

  it('is idempotent: saving the same repository and commit replaces, never duplicates', async () => {
    const again = sampleReport({ commit: C1, analyzedAt: '2024-01-01T00:00:00.000Z', score: 6 });
    await store.save(again, { markdown: '# one again\n', html: '<p>again</p>' });
    await store.save(again, { markdown: '# one again\n', html: '<p>again</p>' });
    const list = await store.list(URL);
    expect(list.map((e) => e.commit)).toEqual([C1]);
    expect(list[0]?.securityScore).toBe(6);
    expect((await store.get(URL, C1))?.markdown).toBe('# one again\n');
  });

  it('get without a commit is the newest; previous is the one analysed before', async () => {
    await store.save(sampleReport({ commit: C3, analyzedAt: '2024-03-01T00:00:00.000Z' }), {
      markdown: '3',
      html: '3',
    });
    await store.save(sampleReport({ commit: C2, analyzedAt: '2024-02-01T00:00:00.000Z' }), {
      markdown: '2',
      html: '2',
    });
    expect((await store.get(URL))?.report.identity.commit).toBe(C3);
    expect((await store.previous(URL, C3))?.identity.commit).toBe(C2);
    expect((await store.previous(URL, C2))?.identity.commit).toBe(C1);
    expect(await store.previous(URL, C1)).toBeUndefined();
    // A commit with no report yet (the one being analysed): the newest other report.
    expect((await store.previous(URL, 'f'.repeat(40)))?.identity.commit).toBe(C3);
    const list = await store.list(URL);
    expect(list.map((e) => [e.commit, e.analyzedAt.toISOString(), e.reportVersion])).toEqual([
      [C3, '2024-03-01T00:00:00.000Z', 1],
      [C2, '2024-02-01T00:00:00.000Z', 1],
      [C1, '2024-01-01T00:00:00.000Z', 1],
    ]);
  });

  it('keeps repositories apart and refuses a report that breaks the schema', async () => {
    const other = 'https://example.com/acme/other.git';
    expect(await store.get(other)).toBeUndefined();
    await store.save(sampleReport({ url: other, commit: C1 }), { markdown: 'o', html: 'o' });
    expect((await store.list(URL)).length).toBe(3);
    const broken = { ...sampleReport({ commit: C2 }), report_version: 2 } as unknown as Parameters<
      ReportStore['save']
    >[0];
    await expect(store.save(broken, { markdown: '', html: '' })).rejects.toThrow();
    expect((await store.get(URL, C2))?.markdown).toBe('2');
  });
});
