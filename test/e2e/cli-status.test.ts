/** `repolens status` against PostgreSQL and against an embedded data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/adapters/store-postgres/index.js';
import type { StatusMessage } from '../../src/contracts/index.js';
import { runCli } from '../support/cli.js';
import { createTestSchema, databaseUrl, withSearchPath, type TestSchema } from '../support/postgres.js';

const url = 'https://git.example.test/acme/widgets';
const failing = 'https://git.example.test/acme/gadgets';

function status(
  repository: string,
  stage: StatusMessage['status'],
  at: string,
  details: StatusMessage['details'],
): StatusMessage {
  return { repository_url: repository, status: stage, timestamp: at, details };
}

describe('repolens status', () => {
  let schema: TestSchema;
  let cliDatabaseUrl: string;

  beforeAll(async () => {
    schema = await createTestSchema('clistatus');
    const store = createPostgresStore({ connectionString: databaseUrl(), schema: schema.schema });
    await store.migrate();
    await store.recordStatus(status(url, 'cloning', '2026-11-27T10:00:00Z', { stage_duration: 0, progress: 0 }), {
      messageKey: 'a',
      commit: 'c0ffee',
    });
    await store.recordStatus(status(url, 'cloning', '2026-11-27T10:00:05Z', { stage_duration: 5000, progress: 100 }), {
      messageKey: 'b',
    });
    await store.recordStatus(
      status(url, 'file_selection', '2026-11-27T10:00:06Z', { stage_duration: 500, progress: 40 }),
      { messageKey: 'c' },
    );
    await store.recordStatus(
      status(failing, 'cloning', '2026-11-27T10:00:01Z', {
        stage_duration: 800,
        progress: 10,
        error: 'repository not found',
      }),
      { messageKey: 'd' },
    );
    await store.close();
    cliDatabaseUrl = withSearchPath(databaseUrl(), [schema.schema, 'public']);
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('lists every repository with its state, progress and last error as JSON', async () => {
    const result = await runCli(['status', '--json', '--database-url', cliDatabaseUrl]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as {
      total: number;
      counts: Record<string, number>;
      stageDurations: unknown[];
      repositories: { url: string; state: string; progress: number; lastError: string | null }[];
    };
    expect(body.total).toBe(2);
    expect(body.counts).toMatchObject({ file_selection: 1, failed: 1 });
    expect(body.stageDurations).toEqual([{ stage: 'cloning', count: 1, p50Ms: 5000, p95Ms: 5000, maxMs: 5000 }]);
    const byUrl = new Map(body.repositories.map((r) => [r.url, r]));
    expect(byUrl.get(url)).toMatchObject({ state: 'file_selection', progress: 40, lastError: null });
    expect(byUrl.get(failing)).toMatchObject({ state: 'failed', progress: 10, lastError: 'repository not found' });
  });

  it('filters by state and shows one repository with its runs', async () => {
    const failed = await runCli(['status', '--status', 'failed', '--database-url', cliDatabaseUrl]);
    expect(failed.stdout).toContain(failing);
    expect(failed.stdout).not.toContain('widgets');
    expect(failed.stdout).toContain('1 of 1 repositories');
    expect(failed.stdout).toMatch(/stage durations over all runs:\n.*\ncloning\s+1\s+5000\s+5000\s+5000/);

    const one = await runCli(['status', url, '--database-url', cliDatabaseUrl]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('state file_selection (file_selection 40%)');
    expect(one.stdout).toMatch(/1\s+running.*c0ffee.*cloning=5000/);

    const missing = await runCli(['status', 'https://nowhere.test/x', '--database-url', cliDatabaseUrl]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no status recorded for https://nowhere.test/x');

    const bad = await runCli(['status', '--status', 'done', '--database-url', cliDatabaseUrl]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--status must be one of cloning, file_selection, rag_loaded, analyzed, failed');
  });

  it('works on an embedded data directory without any server', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'repolens-status-'));
    try {
      const result = await runCli(['status', '--data-dir', dataDir], { env: { DATABASE_URL: '' } });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('no repositories recorded yet\n');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the built bin', () => {
  it('runs from dist/ with its SQL migrations (as `npx repolens` does after npm ci)', async () => {
    const { spawnSync } = await import('node:child_process');
    const dataDir = await mkdtemp(join(tmpdir(), 'repolens-bin-'));
    try {
      const result = spawnSync(process.execPath, ['bin/repolens.js', 'status', '--data-dir', dataDir], {
        cwd: new URL('../../', import.meta.url),
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '' },
      });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('no repositories recorded yet\n');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
