/**
 * The Store contract (src/ports/store.ts), one suite run against every adapter:
 * test/contract/store-postgres.test.ts and test/contract/store-pglite.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledMigrations, type Migration } from '../../src/adapters/sql/index.js';

/**
 * The status store's own migrations. The other services' tables are migrated (and their stores
 * tested on both engines) elsewhere; keeping them out makes each fresh embedded database here
 * quick to open.
 */
const STATUS_MIGRATIONS = new Set(['repository_status', 'record_status_function']);
const MIGRATIONS = bundledMigrations().filter((migration) => STATUS_MIGRATIONS.has(migration.name));
import type { StatusMessage } from '../../src/contracts/status-message.js';
import { isRepolensError } from '../../src/domain/errors.js';
import type { Store } from '../../src/ports/store.js';

export interface OpenOptions {
  readonly migrations?: readonly Migration[];
}

export interface StoreFixture {
  /**
   * A store on this fixture's database (fresh per fixture; every open reaches the same one).
   * Close a store before opening the next: an embedded database allows one opener.
   */
  open(options?: OpenOptions): Promise<Store>;
  /** Closes what `open` returned and removes the database. */
  close(): Promise<void>;
}

type Details = StatusMessage['details'];

export function status(
  url: string,
  stage: StatusMessage['status'],
  progress: number,
  timestamp: string,
  details: Partial<Details> = {},
): StatusMessage {
  return { repository_url: url, status: stage, timestamp, details: { progress, stage_duration: 0, ...details } };
}

/** ISO timestamp `seconds` after a fixed start: readable, ordered test times. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await promise;
  } catch (error: unknown) {
    if (isRepolensError(error)) return { code: error.code, message: error.message, retryable: error.retryable };
    throw error;
  }
  throw new Error('expected a rejection');
}

export function describeStoreContract(adapter: string, setup: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${adapter}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let keys = 0;
    const key = (): string => `repository.status:0:${keys++}`;
    const record = (message: StatusMessage, meta: { runId?: string; commit?: string } = {}) =>
      store.recordStatus(message, { messageKey: key(), ...meta });

    /** Records a whole successful pass, durations 100, 200, 300, 400 ms from second `start`. */
    async function fullRun(url: string, start: number): Promise<void> {
      const stages = ['cloning', 'file_selection', 'rag_loaded', 'analyzed'] as const;
      for (const [index, stage] of stages.entries()) {
        await record(status(url, stage, 0, at(start + index * 10)));
        await record(status(url, stage, 100, at(start + index * 10 + 5), { stage_duration: (index + 1) * 100 }));
      }
    }

    beforeEach(async () => {
      fixture = await setup();
      const open = fixture.open.bind(fixture);
      fixture = { ...fixture, open: (options = {}) => open({ migrations: MIGRATIONS, ...options }) };
      store = await fixture.open();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
      await fixture.close();
    });

    describe('migrations', () => {
      it('migrate twice is a no-op', async () => {
        await store.migrate();
        await store.migrate();
        expect((await record(status('https://h/a', 'cloning', 0, at(0)))).stored).toBe(true);
      });

      it('a database migrated by a newer repolens is refused, naming both versions', async () => {
        await store.close();
        const future: Migration = {
          version: 9_999,
          name: 'from_the_future',
          sql: 'CREATE TABLE from_the_future (x integer)',
        };
        const newer = await fixture.open({ migrations: [...MIGRATIONS, future] });
        await newer.migrate();
        await newer.close();

        store = await fixture.open();
        const error = await rejection(store.migrate());
        expect(error.code).toBe('REPOLENS_DATABASE_NEWER');
        expect(error.message).toContain('9999');
        expect(error.message).toContain(`version ${MIGRATIONS.at(-1)?.version}`);
        expect(error.retryable).toBe(false);
      });

      it('an applied migration whose SQL changed is refused', async () => {
        await store.close();
        const [first, ...later] = MIGRATIONS;
        if (first === undefined) throw new Error('no migrations');
        store = await fixture.open({ migrations: [{ ...first, sql: `${first.sql}\n-- edited` }, ...later] });
        expect((await rejection(store.migrate())).code).toBe('REPOLENS_MIGRATION_MODIFIED');
      });
    });

    describe('recordStatus', () => {
      it('stores a duplicate delivery once', async () => {
        const message = status('https://h/dup', 'cloning', 10, at(1));
        const meta = { messageKey: 'repository.status:2:42' };
        expect(await store.recordStatus(message, meta)).toEqual({ stored: true, currentChanged: true });
        expect(await store.recordStatus(message, meta)).toEqual({ stored: false, currentChanged: false });
        const detail = await store.getRepository('https://h/dup');
        expect(detail?.history).toHaveLength(1);
        expect(detail?.runs).toHaveLength(1);
      });

      it('keeps an older message in history without changing the current row', async () => {
        const url = 'https://h/late';
        await record(status(url, 'file_selection', 50, at(100)));
        // 01:00+02:00 on Jan 1 is 23:00Z on Dec 31: older, though it sorts later as text.
        const late = status(url, 'cloning', 100, '2025-01-01T01:00:00+02:00', { stage_duration: 900 });
        expect(await record(late)).toEqual({ stored: true, currentChanged: false });

        const detail = await store.getRepository(url);
        expect(detail).toMatchObject({ status: 'file_selection', progress: 50, state: 'file_selection' });
        expect(detail?.updatedAt.toISOString()).toBe(at(100));
        expect(detail?.stageDurationsMs).toEqual({});
        expect(detail?.history.map((entry) => [entry.status, entry.applied])).toEqual([
          ['cloning', false],
          ['file_selection', true],
        ]);
      });

      it('applies a message with the same timestamp and orders by microseconds', async () => {
        const url = 'https://h/micro';
        await record(status(url, 'cloning', 10, '2025-01-01T00:00:00.000002Z'));
        expect((await record(status(url, 'cloning', 5, '2025-01-01T00:00:00.000001Z'))).currentChanged).toBe(false);
        expect((await record(status(url, 'cloning', 20, '2025-01-01T00:00:00.000002Z'))).currentChanged).toBe(true);
        expect((await store.getRepository(url))?.progress).toBe(20);
      });

      it('records per-stage durations from the progress-100 messages', async () => {
        const url = 'https://h/durations';
        await record(status(url, 'cloning', 0, at(1)));
        await record(status(url, 'cloning', 50, at(2), { stage_duration: 600 }));
        await record(status(url, 'cloning', 100, at(3), { stage_duration: 1200 }));
        await record(status(url, 'file_selection', 100, at(4), { stage_duration: 800 }));
        const detail = await store.getRepository(url);
        expect(detail?.stageDurationsMs).toEqual({ cloning: 1200, file_selection: 800 });
        expect(detail?.runs[0]?.stageDurationsMs).toEqual({ cloning: 1200, file_selection: 800 });
      });

      it('a failure message sets the last error and fails the run', async () => {
        const url = 'https://h/fails';
        await record(status(url, 'cloning', 0, at(1)));
        await record(status(url, 'cloning', 30, at(2), { error: 'repository not found' }));
        const detail = await store.getRepository(url);
        expect(detail).toMatchObject({
          status: 'cloning',
          state: 'failed',
          lastError: 'repository not found',
          runNumber: 1,
        });
        expect(detail?.lastErrorAt?.toISOString()).toBe(at(2));
        expect(detail?.runs[0]).toMatchObject({ outcome: 'failed', finishedAt: new Date(at(2)) });
        expect(detail?.stageDurationsMs).toEqual({});
      });

      it('a cloning message after analyzed starts a new run', async () => {
        const url = 'https://h/rerun';
        await fullRun(url, 0);
        let detail = await store.getRepository(url);
        expect(detail?.runs).toEqual([
          expect.objectContaining({
            runNumber: 1,
            outcome: 'analyzed',
            finishedAt: new Date(at(35)),
            stageDurationsMs: { cloning: 100, file_selection: 200, rag_loaded: 300, analyzed: 400 },
          }),
        ]);

        await record(status(url, 'cloning', 0, at(100)));
        await record(status(url, 'cloning', 100, at(101), { stage_duration: 50 }));
        detail = await store.getRepository(url);
        expect(detail).toMatchObject({ runNumber: 2, state: 'cloning', stageDurationsMs: { cloning: 50 } });
        expect(detail?.runs.map((run) => [run.runNumber, run.outcome, run.startedAt.toISOString()])).toEqual([
          [1, 'analyzed', at(0)],
          [2, 'running', at(100)],
        ]);
        expect(detail?.history.at(-1)?.runNumber).toBe(2);
      });

      it('a cloning message after a failure starts a new run; progress within a run does not', async () => {
        const url = 'https://h/retry';
        await record(status(url, 'cloning', 0, at(1)));
        await record(status(url, 'cloning', 50, at(2)));
        await record(status(url, 'file_selection', 10, at(3), { error: 'over the size limit' }));
        await record(status(url, 'cloning', 0, at(10)));
        const detail = await store.getRepository(url);
        expect(detail?.runs.map((run) => [run.runNumber, run.outcome])).toEqual([
          [1, 'failed'],
          [2, 'running'],
        ]);
        // The error stays visible after the repository recovered; `state` says it is not failed.
        expect(detail).toMatchObject({ state: 'cloning', lastError: 'over the size limit', runNumber: 2 });
      });

      it('records run id and commit on the run and in the history', async () => {
        const url = 'https://h/meta';
        await record(status(url, 'cloning', 0, at(1)), { runId: 'run-1' });
        await record(status(url, 'cloning', 100, at(2)), { runId: 'run-1', commit: 'abc123' });
        const detail = await store.getRepository(url);
        expect(detail?.runs[0]).toMatchObject({ runId: 'run-1', commit: 'abc123' });
        expect(detail?.history.map((entry) => entry.commit)).toEqual([null, 'abc123']);
      });

      it('rejects an invalid message or key without storing anything', async () => {
        const bad = { ...status('https://h/bad', 'cloning', 0, at(1)), status: 'done' } as unknown as StatusMessage;
        expect((await rejection(record(bad))).code).toBe('REPOLENS_CONTRACT_INVALID');
        const good = status('https://h/bad', 'cloning', 0, at(1));
        expect((await rejection(store.recordStatus(good, { messageKey: '' }))).code).toBe('REPOLENS_INPUT_INVALID');
        expect(await store.getRepository('https://h/bad')).toBeUndefined();
      });
    });

    describe('queries', () => {
      async function seed(): Promise<void> {
        await fullRun('https://github.com/acme/one', 0);
        await record(status('https://github.com/acme/two', 'cloning', 40, at(50)));
        await record(status('https://gitlab.com/acme/three', 'rag_loaded', 60, at(60)));
        await record(status('https://gitlab.com/other/four', 'cloning', 10, at(70), { error: 'access denied' }));
        await fullRun('https://github.com/other/five_%', 100);
      }

      it('lists with a status filter, a URL search, paging and the total', async () => {
        await seed();
        const all = await store.listRepositories({ limit: 10, offset: 0 });
        expect(all.total).toBe(5);
        expect(all.rows.map((row) => row.url)).toEqual([
          'https://github.com/other/five_%',
          'https://gitlab.com/other/four',
          'https://gitlab.com/acme/three',
          'https://github.com/acme/two',
          'https://github.com/acme/one',
        ]);
        expect(all.rows[1]).toMatchObject({
          status: 'cloning',
          state: 'failed',
          progress: 10,
          lastError: 'access denied',
        });
        expect(all.rows[4]?.firstSeenAt.toISOString()).toBe(at(0));
        expect(all.rows[4]?.updatedAt.toISOString()).toBe(at(35));

        const analyzed = await store.listRepositories({ status: 'analyzed', limit: 10, offset: 0 });
        expect(analyzed.rows.map((row) => row.url)).toEqual([
          'https://github.com/other/five_%',
          'https://github.com/acme/one',
        ]);
        expect(analyzed.total).toBe(2);
        const failed = await store.listRepositories({ status: 'failed', limit: 10, offset: 0 });
        expect(failed.rows.map((row) => row.url)).toEqual(['https://gitlab.com/other/four']);
        const cloning = await store.listRepositories({ status: 'cloning', limit: 10, offset: 0 });
        expect(cloning.rows.map((row) => row.url)).toEqual(['https://github.com/acme/two']);

        const acme = await store.listRepositories({ search: 'GitHub.com/ACME', limit: 10, offset: 0 });
        expect(acme.rows.map((row) => row.url)).toEqual(['https://github.com/acme/two', 'https://github.com/acme/one']);
        // Wildcards are plain characters.
        const literal = await store.listRepositories({ search: '_%', limit: 10, offset: 0 });
        expect(literal.rows.map((row) => row.url)).toEqual(['https://github.com/other/five_%']);
        const combined = await store.listRepositories({ status: 'cloning', search: 'gitlab', limit: 10, offset: 0 });
        expect(combined).toEqual({ rows: [], total: 0 });

        const pages = await Promise.all([0, 2, 4, 6].map((offset) => store.listRepositories({ limit: 2, offset })));
        expect(pages.map((page) => page.rows.length)).toEqual([2, 2, 1, 0]);
        expect(pages.map((page) => page.total)).toEqual([5, 5, 5, 5]);
        expect(pages.flatMap((page) => page.rows.map((row) => row.url))).toEqual(all.rows.map((row) => row.url));

        expect((await rejection(store.listRepositories({ limit: 0, offset: 0 }))).code).toBe('REPOLENS_INPUT_INVALID');
      });

      it('counts repositories per state, zeros included', async () => {
        expect(await store.countByStatus()).toEqual({
          cloning: 0,
          file_selection: 0,
          rag_loaded: 0,
          analyzed: 0,
          failed: 0,
        });
        await seed();
        expect(await store.countByStatus()).toEqual({
          cloning: 1,
          file_selection: 0,
          rag_loaded: 1,
          analyzed: 2,
          failed: 1,
        });
      });

      it('computes per-stage duration percentiles in pipeline order', async () => {
        expect(await store.stageDurationPercentiles()).toEqual([]);
        const durations = [100, 200, 300, 400, 1000];
        for (const [index, duration] of durations.entries()) {
          const url = `https://h/p${index}`;
          await record(status(url, 'cloning', 100, at(index * 10), { stage_duration: duration }));
          await record(status(url, 'file_selection', 100, at(index * 10 + 1), { stage_duration: duration * 2 }));
        }
        const stats = await store.stageDurationPercentiles();
        // percentile_cont(0.95) over 5 values: 400 + 0.8 * (1000 - 400).
        expect(stats).toEqual([
          { stage: 'cloning', count: 5, p50Ms: 300, p95Ms: 880, maxMs: 1000 },
          { stage: 'file_selection', count: 5, p50Ms: 600, p95Ms: 1760, maxMs: 2000 },
        ]);
      });

      it('getRepository returns undefined for an unknown URL and limits the history', async () => {
        expect(await store.getRepository('https://h/none')).toBeUndefined();
        await fullRun('https://h/long', 0);
        const detail = await store.getRepository('https://h/long', { historyLimit: 3 });
        expect(detail?.history.map((entry) => [entry.status, entry.progress])).toEqual([
          ['rag_loaded', 100],
          ['analyzed', 0],
          ['analyzed', 100],
        ]);
      });
    });

    describe('lifecycle', () => {
      it('close is safe twice and later calls reject', async () => {
        await store.close();
        await store.close();
        expect((await rejection(store.countByStatus())).code).toBe('REPOLENS_STORE_CLOSED');
      });
    });
  });
}
