/**
 * `repolens serve` as a user runs it: a real child process (the CLI from source via tsx) in
 * embedded mode with a temporary data directory, on a free port, probed over real HTTP, stopped
 * with SIGTERM (exit 0). The data directory is seeded beforehand with a repository whose run
 * stopped after file selection, as a killed server (even kill -9) leaves it: on start, serve
 * resumes it with a `pending` load_rag task carrying the run's commit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlStore } from '../../src/adapters/sql/index.js';
import { openPgliteDatabase } from '../../src/adapters/store-pglite/index.js';
import type { RepositoryStatus } from '../../src/contracts/index.js';
import { eventually } from '../support/wait.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// http is not an allowed clone protocol by default: the resumed stage fails fast, no network.
const UNFINISHED = 'http://127.0.0.1:9/acme/unfinished';
const COMMIT = 'ab'.repeat(20);

interface Served {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  stdout(): string;
  stderr(): string;
  readonly exit: Promise<number | null>;
}

/** Starts `repolens serve --port 0` and resolves once it printed the address it listens on. */
function startServe(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'serve', '--port', '0', '--data-dir', dataDir],
    {
      cwd: repoRoot,
      env: { ...process.env, REPOLENS_SHUTDOWN_GRACE_MS: '2000', REPOLENS_LOG_LEVEL: 'warn', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        resolve({ child, baseUrl: match[1], stdout: () => stdout, stderr: () => stderr, exit });
      }
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
  });
}

describe('repolens serve', () => {
  let work: string;
  let served: Served | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'repolens-serve-'));
    const database = await openPgliteDatabase({ dataDir: join(work, 'db') });
    await database.migrate();
    const store = createSqlStore(database);
    const steps: [RepositoryStatus, number][] = [
      ['cloning', 0],
      ['cloning', 100],
      ['file_selection', 100],
    ];
    for (const [i, [status, progress]] of steps.entries()) {
      await store.recordStatus(
        {
          repository_url: UNFINISHED,
          status,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          details: { stage_duration: 5, progress },
        },
        { messageKey: `seed:${i}`, runId: 'run-seeded', commit: COMMIT },
      );
    }
    await store.close();
  });

  afterAll(async () => {
    if (served !== undefined && served.child.exitCode === null) served.child.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('serves over real HTTP, resumes the unfinished repository, and exits 0 on SIGTERM', async () => {
    served = await startServe(work);
    const { baseUrl } = served;
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);

    // Embedded mode has the same metrics and alerts as a worker, against the in-process bus.
    await eventually('lag read from the in-process bus', async () =>
      (await (await fetch(`${baseUrl}/metrics`)).text()).includes(
        'kafka_consumergroup_lag{consumergroup="status-consumers"',
      ),
    );
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/repolens_messages_produced_total\{topic="repository\.tasks"\} \d+/);
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(await (await fetch(`${baseUrl}/api/alerts`)).json()).toEqual({ alerts: [] });

    const bad = await fetch(`${baseUrl}/api/repositories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'ext::sh -c id' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('REPOLENS_INVALID_REPOSITORY_URL');

    // The resume published a pending load_rag task with the seeded run's commit.
    expect(served.stderr()).toContain('resuming 1 unfinished');
    const detailUrl = `${baseUrl}/api/repositories/${encodeURIComponent(UNFINISHED)}`;
    await eventually('the resumed task in the journal', async () => {
      const detail = (await (await fetch(detailUrl)).json()) as {
        tasks: { task_type: string; status: string; commit: string | null }[];
      };
      return detail.tasks.some((t) => t.task_type === 'load_rag' && t.status === 'pending' && t.commit === COMMIT);
    });

    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toContain('stopping');
  });
});
