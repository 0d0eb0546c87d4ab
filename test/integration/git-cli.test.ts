/**
 * The git adapter against real git servers on loopback (git daemon, git http-backend, a local
 * path): clone, fetch, ensure, history, and what progress it reports.
 */
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../src/ports/git.js';
import {
  createRepoRoot,
  missingObjects,
  objectCounts,
  processesUnder,
  runGit,
  startGitDaemon,
  startHttpGitServer,
  workspaces,
  type BareRepo,
  type HttpGitServer,
  type RepoRoot,
  type TestServer,
} from '../support/git-server.js';

const signal = (): AbortSignal => AbortSignal.timeout(50_000);

describe('git-cli adapter: cloning and fetching', () => {
  let root: RepoRoot;
  let daemon: TestServer;
  let http: HttpGitServer;
  let authHttp: HttpGitServer;
  let alpha: BareRepo;
  let trunky: BareRepo;
  const spaces = workspaces();

  beforeAll(async () => {
    root = await createRepoRoot();
    alpha = await root.createBareRepo('alpha', {
      'README.md': '# alpha\n',
      'src/index.ts': 'export const a = 1;\n',
      'docs/guide.md': 'guide\n',
    });
    trunky = await root.createBareRepo('trunky', { 'main.go': 'package main\n' }, { defaultBranch: 'trunk' });
    daemon = await startGitDaemon(root.dir);
    http = await startHttpGitServer(root.dir);
    authHttp = await startHttpGitServer(root.dir, { auth: { username: 'reader', password: 'p4ss-word-42' } });
  });

  afterAll(async () => {
    await spaces.closeAll();
    await Promise.all([daemon?.close(), http?.close(), authHttp?.close()]);
    await root?.remove();
  });

  function expectMonotonicProgress(events: SyncProgress[]): void {
    expect(events.length).toBeGreaterThan(1);
    for (let i = 1; i < events.length; i++) {
      expect((events[i] as SyncProgress).percent).toBeGreaterThan((events[i - 1] as SyncProgress).percent);
    }
    expect(events.every((event) => event.percent >= 0 && event.percent <= 100)).toBe(true);
    expect(events.at(-1)?.percent).toBe(100);
  }

  it('clones over git:// with the right commit, default branch, files and monotonic progress', async () => {
    const { git, workspaceDir } = await spaces.create();
    const events: SyncProgress[] = [];
    const result = await git.sync(daemon.url('alpha'), { signal: signal(), onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ commit: alpha.commits.at(-1), defaultBranch: 'main', fetched: false });
    expect(result.dir.startsWith(join(workspaceDir, 'repos'))).toBe(true);
    expect(await readFile(join(result.dir, 'src/index.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(await readFile(join(result.dir, 'README.md'), 'utf8')).toBe('# alpha\n');
    expectMonotonicProgress(events);
    // Blobless: the clone is partial, and the checked-out commit lacks nothing.
    expect(await runGit(['config', 'remote.origin.partialclonefilter'], { cwd: result.dir })).toBe('blob:none\n');
    expect(await missingObjects(result.dir, result.commit)).toEqual([]);
  });

  it('clones over smart HTTP and reports the remote default branch (trunk)', async () => {
    const { git } = await spaces.create({ allowedProtocols: ['http'] });
    const events: SyncProgress[] = [];
    const result = await git.sync(http.url('trunky'), { signal: signal(), onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ commit: trunky.commits.at(-1), defaultBranch: 'trunk', fetched: false });
    expect(await readFile(join(result.dir, 'main.go'), 'utf8')).toBe('package main\n');
    expectMonotonicProgress(events);
  });

  it('clones over smart HTTP with basic auth from `credentials`, keeping them out of the repository config', async () => {
    const seen: string[] = [];
    const { git } = await spaces.create({
      allowedProtocols: ['http'],
      credentials: (url) => {
        seen.push(url.href);
        return { username: 'reader', password: 'p4ss-word-42' };
      },
    });
    const result = await git.sync(authHttp.url('alpha'), { signal: signal() });
    expect(result.commit).toBe(alpha.commits.at(-1));
    expect(seen).toEqual([authHttp.url('alpha')]);
    expect(authHttp.authorizations.length).toBeGreaterThan(0);
    const config = await readFile(join(result.dir, '.git', 'config'), 'utf8');
    expect(config).not.toContain('p4ss-word-42');
    expect(config).not.toContain(Buffer.from('reader:p4ss-word-42').toString('base64'));
  });

  it('clones a local path and a file:// URL when local clones are allowed', async () => {
    const { git } = await spaces.create({ allowLocal: true });
    const byPath = await git.sync(alpha.path, { signal: signal() });
    expect(byPath).toMatchObject({ commit: alpha.commits.at(-1), defaultBranch: 'main', fetched: false });
    expect(await readFile(join(byPath.dir, 'docs/guide.md'), 'utf8')).toBe('guide\n');
    // The same repository by path and by file:// URL is one workspace directory.
    const byUrl = await git.sync(`file://${alpha.path}`, { signal: signal() });
    expect(byUrl).toMatchObject({ dir: byPath.dir, fetched: true });
  });

  it('re-sync fetches only the new commit; ensure returns old commits and re-clones a deleted workspace', async () => {
    const repo = await root.createBareRepo('moving', { 'a.txt': 'one\n', 'b.txt': 'bee\n' });
    const { git } = await spaces.create();
    const first = await git.sync(daemon.url('moving'), { signal: signal() });
    const before = await objectCounts(first.dir);
    const second = await root.commitTo(repo, { 'a.txt': 'two\n', 'c.txt': 'sea\n', 'b.txt': null });

    const events: SyncProgress[] = [];
    const again = await git.sync(daemon.url('moving'), { signal: signal(), onProgress: (p) => events.push(p) });
    expect(again).toMatchObject({ dir: first.dir, commit: second, defaultBranch: 'main', fetched: true });
    expect(events.at(-1)?.percent).toBe(100);
    const after = await objectCounts(first.dir);
    // Every pack of the first clone is still there: the new objects came in new packs.
    expect(after.packs).toEqual(expect.arrayContaining(before.packs));
    expect(after.packs.length).toBeGreaterThan(before.packs.length);
    // New commit + new root tree + 2 new blobs (a.txt "two", c.txt): nothing of the old history again.
    expect(after.inPack + after.loose - (before.inPack + before.loose)).toBe(4);
    expect(await readFile(join(first.dir, 'a.txt'), 'utf8')).toBe('two\n');
    await expect(stat(join(first.dir, 'b.txt'))).rejects.toMatchObject({ code: 'ENOENT' });

    const old = await git.ensure(daemon.url('moving'), repo.commits[0] as string, { signal: signal() });
    expect(old).toEqual({ dir: first.dir, commit: repo.commits[0], defaultBranch: 'main' });
    expect(await readFile(join(old.dir, 'a.txt'), 'utf8')).toBe('one\n');
    expect(await readFile(join(old.dir, 'b.txt'), 'utf8')).toBe('bee\n');

    await rm(first.dir, { recursive: true, force: true });
    const recloned = await git.ensure(daemon.url('moving'), second, { signal: signal() });
    expect(recloned).toEqual({ dir: first.dir, commit: second, defaultBranch: 'main' });
    expect(await readFile(join(recloned.dir, 'c.txt'), 'utf8')).toBe('sea\n');
    // A commit the server does not have is a permanent not-found.
    await expect(git.ensure(daemon.url('moving'), 'f'.repeat(40), { signal: signal() })).rejects.toMatchObject({
      code: 'REPOLENS_GIT_NOT_FOUND',
      retryable: false,
    });
  });

  it('ensure of the commit already checked out runs no git at all; a checkout without its marker is verified with git', async () => {
    await root.createBareRepo('counted', { 'a.txt': 'one\n' });
    // A git that logs each invocation, so the test counts the processes the adapter starts.
    const logFile = join(root.dir, 'git-invocations.log');
    const wrapper = join(root.dir, 'git-logging');
    const realGit = join((await runGit(['--exec-path'], { cwd: root.dir })).trim(), 'git');
    await writeFile(wrapper, `#!/bin/sh\necho "$1" >> '${logFile}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const invocations = async (): Promise<number> =>
      (await readFile(logFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const { git } = await spaces.create({ gitBinary: wrapper });
    const cloned = await git.sync(daemon.url('counted'), { signal: signal() });
    const afterClone = await invocations();
    expect(afterClone).toBeGreaterThan(3);
    for (let i = 0; i < 3; i++) {
      expect(await git.ensure(daemon.url('counted'), cloned.commit, { signal: signal() })).toEqual({
        dir: cloned.dir,
        commit: cloned.commit,
        defaultBranch: 'main',
      });
    }
    expect(await invocations()).toBe(afterClone);
    // Without the marker (an interrupted checkout, an older repolens) git checks the directory.
    await rm(join(cloned.dir, '.git', 'repolens-checkout.json'));
    await git.ensure(daemon.url('counted'), cloned.commit, { signal: signal() });
    expect(await invocations()).toBeGreaterThan(afterClone);
    expect(await readFile(join(cloned.dir, 'a.txt'), 'utf8')).toBe('one\n');
  });

  it('serializes two syncs of one URL in one process: one clones, the other fetches', async () => {
    const { git, workspaceDir } = await spaces.create();
    const [a, b] = await Promise.all([
      git.sync(daemon.url('alpha'), { signal: signal() }),
      git.sync(daemon.url('alpha'), { signal: signal() }),
    ]);
    expect([a.fetched, b.fetched].sort()).toEqual([false, true]);
    expect(a.commit).toBe(b.commit);
    expect(await readdir(join(workspaceDir, 'repos'))).toHaveLength(1);
    expect(await readdir(join(workspaceDir, 'tmp'))).toEqual([]);
  });

  it('history lists commits newest first with authors and touched paths, without fetching any blob', async () => {
    const repo = await root.createBareRepo(
      'history',
      { 'a.txt': 'a1\n', 'dir/b.txt': 'b1\n' },
      { author: { name: 'Ann Author', email: 'Ann@Example.COM', date: '2024-01-02T03:04:05Z' } },
    );
    await root.commitTo(
      repo,
      { 'dir/b.txt': 'b2\n', 'c.txt': 'c1\n' },
      { author: { name: 'Bob', email: 'bob@example.org', date: '2024-02-03T04:05:06Z' } },
    );
    await root.commitTo(
      repo,
      { 'a.txt': null, 'weird name\twith tab.txt': 'x\n' },
      { author: { name: 'Ann Author', email: 'ann@example.com', date: '2024-03-04T05:06:07Z' } },
    );
    const { git } = await spaces.create();
    const checkout = await git.sync(daemon.url('history'), { signal: signal() });
    const missingBefore = await missingObjects(checkout.dir, repo.commits[0] as string);
    const countsBefore = await objectCounts(checkout.dir);
    // Old blobs (a1, b1, b2) are not in a blobless clone.
    expect(missingBefore.length).toBe(2);

    const commits = await git.history(checkout, { signal: signal() });
    expect(commits.map((c) => c.sha)).toEqual([...repo.commits].reverse());
    expect(commits.map((c) => c.authorEmail)).toEqual(['ann@example.com', 'bob@example.org', 'ann@example.com']);
    expect(commits[0]).toMatchObject({ authorName: 'Ann Author', files: ['a.txt', 'weird name\twith tab.txt'] });
    expect(commits[1]?.files).toEqual(['c.txt', 'dir/b.txt']);
    expect(commits[2]?.files).toEqual(['a.txt', 'dir/b.txt']);
    expect(commits[1]?.authoredAt.toISOString()).toBe('2024-02-03T04:05:06.000Z');

    const limited = await git.history(checkout, { signal: signal(), maxCommits: 2 });
    expect(limited.map((c) => c.sha)).toEqual(commits.slice(0, 2).map((c) => c.sha));

    expect(await objectCounts(checkout.dir)).toEqual(countsBefore);
    expect(await missingObjects(checkout.dir, repo.commits[0] as string)).toEqual(missingBefore);
  });

  it('leaves no git process behind after successful runs', async () => {
    const { git, workspaceDir } = await spaces.create({ allowedProtocols: ['http', 'git'] });
    await git.sync(http.url('alpha'), { signal: signal() });
    await git.sync(daemon.url('trunky'), { signal: signal() });
    expect(await processesUnder(workspaceDir)).toEqual([]);
  });
});
