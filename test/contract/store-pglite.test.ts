/**
 * The Store contract on PGlite with pgvector, each test on a fresh data directory; plus the data
 * directory lock: a second process is refused with the holder named, a dead holder's lock is
 * taken over, and the database stays intact.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgliteStore, LOCK_FILE_NAME } from '../../src/adapters/store-pglite/index.js';
import { isRepolensError } from '../../src/domain/errors.js';
import type { Store } from '../../src/ports/store.js';
import { at, describeStoreContract, status, type StoreFixture } from './store.contract.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('./store-pglite-child.ts', import.meta.url));

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'repolens-pglite-'));
}

describeStoreContract('store-pglite', async (): Promise<StoreFixture> => {
  const dataDir = await tempDir();
  const stores: Store[] = [];
  return {
    open: async (options = {}) => {
      const store = await createPgliteStore({ dataDir, ...options });
      stores.push(store);
      return store;
    },
    close: async () => {
      await Promise.allSettled(stores.map((store) => store.close()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

interface ChildResult {
  ok: boolean;
  code?: string;
  message?: string;
}

async function openInChild(dataDir: string): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', childScript, dataDir], {
    cwd: repoRoot,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

describe('store-pglite data directory lock', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function openStore(dataDir: string): Promise<Store> {
    const store = await createPgliteStore({ dataDir });
    cleanup.push(() => store.close());
    return store;
  }

  it('a second process opening the same directory fails naming the holder; the data stays intact', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const store = await openStore(dataDir);
    await store.migrate();
    await store.recordStatus(status('https://h/first', 'cloning', 0, at(1)), { messageKey: 'a' });

    const child = await openInChild(dataDir);
    expect(child.ok).toBe(false);
    expect(child.code).toBe('REPOLENS_DATABASE_LOCKED');
    expect(child.message).toContain(`process ${process.pid} on host ${hostname()}`);
    expect(child.message).toContain(join(dataDir, LOCK_FILE_NAME));

    await store.recordStatus(status('https://h/second', 'cloning', 0, at(2)), { messageKey: 'b' });
    await store.close();
    const reopened = await openStore(dataDir);
    await reopened.migrate();
    expect((await reopened.listRepositories({ limit: 10, offset: 0 })).rows.map((row) => row.url)).toEqual([
      'https://h/second',
      'https://h/first',
    ]);
  });

  it('a lock left by a dead process is taken over, and released on close', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const lockFile = join(dataDir, LOCK_FILE_NAME);
    const pid = await deadPid();
    await writeFile(lockFile, JSON.stringify({ pid, hostname: hostname(), startedAt: at(0), token: 'stale' }));

    expect(await openInChild(dataDir)).toMatchObject({ ok: true });
    await expect(readFile(lockFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });

    const store = await openStore(dataDir);
    await store.migrate();
    expect((await store.getRepository('https://h/child'))?.status).toBe('cloning');
    const lock = JSON.parse(await readFile(lockFile, 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
  });

  it('a lock held by a process on another host is refused, naming that host', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    await writeFile(
      join(dataDir, LOCK_FILE_NAME),
      JSON.stringify({ pid: 4242, hostname: 'build-box-7', startedAt: at(0), token: 'other' }),
    );
    const error: unknown = await createPgliteStore({ dataDir }).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(isRepolensError(error) && error.code).toBe('REPOLENS_DATABASE_LOCKED');
    expect(error instanceof Error && error.message).toContain('process 4242 on host build-box-7');
  });

  it('an in-memory store needs no directory and takes no lock', async () => {
    const store = await createPgliteStore({ dataDir: 'memory://' });
    cleanup.push(() => store.close());
    await store.migrate();
    expect((await store.recordStatus(status('https://h/m', 'cloning', 0, at(0)), { messageKey: 'm' })).stored).toBe(
      true,
    );
  });
});
