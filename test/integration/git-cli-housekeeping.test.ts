/**
 * Workspace housekeeping of the git adapter: checkouts unused for longer than the TTL go, then the
 * least recently used ones until the workspace fits its byte budget; a checkout another process
 * holds (live PID in its lock file) or one this process is syncing stays. A lock whose process is
 * dead does not protect anything. With an interval set, the adapter housekeeps by itself after its
 * syncs, at most once per interval.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capturingLogger,
  createRepoRoot,
  startHangingServer,
  workspaces,
  type RepoRoot,
} from '../support/git-server.js';

const signal = (): AbortSignal => AbortSignal.timeout(50_000);
const DAY_MS = 24 * 3600_000;

async function age(dir: string, msAgo: number): Promise<void> {
  const when = new Date(Date.now() - msAgo);
  await utimes(dir, when, when);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('git-cli adapter: workspace housekeeping', () => {
  let root: RepoRoot;
  const spaces = workspaces();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    root = await createRepoRoot();
    for (const name of ['one', 'two', 'three']) await root.createBareRepo(name, { [`${name}.txt`]: `${name}\n` });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await spaces.closeAll();
    await root?.remove();
  });

  it('removes checkouts older than the TTL and keeps recent ones', async () => {
    const { git } = await spaces.create({ allowLocal: true, housekeeping: { ttlMs: DAY_MS } });
    const one = await git.sync(join(root.dir, 'one.git'), { signal: signal() });
    const two = await git.sync(join(root.dir, 'two.git'), { signal: signal() });
    await age(one.dir, 2 * DAY_MS);
    expect(await git.housekeep()).toEqual({ removed: [one.dir] });
    expect(await exists(one.dir)).toBe(false);
    expect(await exists(two.dir)).toBe(true);
    // Using a checkout makes it recent again: ensure re-clones the removed one and it survives.
    await git.ensure(join(root.dir, 'one.git'), one.commit, { signal: signal() });
    expect(await git.housekeep()).toEqual({ removed: [] });
  });

  it('with an interval set, housekeeps by itself after a sync, and close waits for it', async () => {
    const everySync = await spaces.create({ allowLocal: true, housekeeping: { ttlMs: DAY_MS, intervalMs: 0 } });
    const one = await everySync.git.sync(join(root.dir, 'one.git'), { signal: signal() });
    await age(one.dir, 2 * DAY_MS);
    // The sync of `two` sets off housekeeping, which finds `one` unused for two days.
    const two = await everySync.git.sync(join(root.dir, 'two.git'), { signal: signal() });
    await everySync.git.close();
    expect(await exists(one.dir)).toBe(false);
    expect(await exists(two.dir)).toBe(true);
  });

  it('housekeeps by itself at most once per interval', async () => {
    const logger = capturingLogger();
    const walks = (what: 'started' | 'done'): number =>
      logger.lines.filter((line) => line.includes(`workspace housekeeping: walk ${what}`)).length;
    const { git } = await spaces.create({
      allowLocal: true,
      logger,
      housekeeping: { ttlMs: DAY_MS, intervalMs: 3600_000 },
    });
    const one = await git.sync(join(root.dir, 'one.git'), { signal: signal() });
    // The first sync sets off a walk (none ran before); wait until it is over.
    expect(walks('started')).toBe(1);
    await expect.poll(() => walks('done'), { timeout: 10_000 }).toBe(1);
    await age(one.dir, 2 * DAY_MS);
    // Within the hour no sync starts another walk (one would start before the sync returns;
    // the pause gives a walk that started later the time to show, too).
    const two = await git.sync(join(root.dir, 'two.git'), { signal: signal() });
    await git.ensure(join(root.dir, 'two.git'), two.commit, { signal: signal() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(walks('started')).toBe(1);
    expect(await exists(one.dir)).toBe(true);
    // It was only the interval that kept `one`: an explicit walk removes it.
    expect(await git.housekeep()).toEqual({ removed: [one.dir] });
  });

  it('removes the least recently used checkouts until the workspace fits maxWorkspaceBytes', async () => {
    const probe = await spaces.create({ allowLocal: true });
    const sample = await probe.git.sync(join(root.dir, 'one.git'), { signal: signal() });
    const { directorySize } = await import('../../src/adapters/git-cli/directory-size.js');
    const each = await directorySize(sample.dir);

    const { git } = await spaces.create({
      allowLocal: true,
      housekeeping: { maxWorkspaceBytes: Math.floor(each * 1.5) },
    });
    const [one, two, three] = [
      await git.sync(join(root.dir, 'one.git'), { signal: signal() }),
      await git.sync(join(root.dir, 'two.git'), { signal: signal() }),
      await git.sync(join(root.dir, 'three.git'), { signal: signal() }),
    ];
    await age(one.dir, 3000);
    await age(two.dir, 1000);
    await age(three.dir, 2000);
    const { removed } = await git.housekeep();
    // Oldest first (one, then three) until one checkout's worth is left: the most recent, two.
    expect(removed).toEqual([one.dir, three.dir]);
    expect(await exists(two.dir)).toBe(true);
  });

  it('keeps a checkout locked by a live process or being synced here; a dead holder protects nothing', async () => {
    const { git, workspaceDir } = await spaces.create({ allowLocal: true, housekeeping: { ttlMs: 1 } });
    const one = await git.sync(join(root.dir, 'one.git'), { signal: signal() });
    const two = await git.sync(join(root.dir, 'two.git'), { signal: signal() });
    await age(one.dir, DAY_MS);
    await age(two.dir, DAY_MS);

    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    const dead = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve) => dead.once('exit', resolve));
    await mkdir(join(workspaceDir, 'locks'), { recursive: true });
    const lockOf = (dir: string): string => join(workspaceDir, 'locks', `${basename(dir)}.lock`);
    await writeFile(lockOf(one.dir), JSON.stringify({ pid: sleeper.pid, hostname: hostname(), token: 'other' }));
    await writeFile(lockOf(two.dir), JSON.stringify({ pid: dead.pid, hostname: hostname(), token: 'gone' }));

    expect(await git.housekeep()).toEqual({ removed: [two.dir] });
    expect(await exists(one.dir)).toBe(true);

    // The live holder also makes a sync here wait: it finishes only once the lock is released.
    let synced = false;
    const pending = git.sync(join(root.dir, 'one.git'), { signal: signal() }).then((result) => {
      synced = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(synced).toBe(false);
    // While it waits, this process counts the checkout as in use.
    expect(await git.housekeep()).toEqual({ removed: [] });
    sleeper.kill('SIGKILL');
    await expect(pending).resolves.toMatchObject({ dir: one.dir, fetched: true });
    expect(await readdir(join(workspaceDir, 'locks'))).toEqual([]);
  });

  it('keeps the clone a sync is still making in this process', async () => {
    const hanging = await startHangingServer();
    try {
      const { git, workspaceDir } = await spaces.create({
        allowedProtocols: ['git'],
        housekeeping: { ttlMs: 1 },
        timeoutMs: 30_000,
      });
      const controller = new AbortController();
      const pending = git.sync(hanging.url('stuck'), { signal: controller.signal });
      const tmp = join(workspaceDir, 'tmp');
      while ((await readdir(tmp).catch(() => [])).length === 0) await new Promise((r) => setTimeout(r, 20));
      const inProgress = await readdir(tmp);
      expect(await git.housekeep()).toEqual({ removed: [] });
      expect(await readdir(tmp)).toEqual(inProgress);
      controller.abort(new Error('done'));
      await expect(pending).rejects.toThrow('done');
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await hanging.close();
    }
  });
});
