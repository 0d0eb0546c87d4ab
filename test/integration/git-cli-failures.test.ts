/**
 * The git adapter when things go wrong: missing repositories, missing credentials, limits,
 * hanging and failing servers, hostile URLs, secrets in URLs. Each failure must carry the right
 * code and retryability, leave no git process running and no directory a later sync could
 * mistake for a good clone.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepolensError } from '../../src/domain/errors.js';
import { classifyFailure } from '../../src/domain/retry-policy.js';
import {
  capturingLogger,
  createRepoRoot,
  processesUnder,
  startGitDaemon,
  startHangingServer,
  startHttpGitServer,
  workspaces,
  type HangingServer,
  type HttpGitServer,
  type RepoRoot,
  type TestServer,
} from '../support/git-server.js';

const signal = (): AbortSignal => AbortSignal.timeout(50_000);

async function failureOf(promise: Promise<unknown>): Promise<RepolensError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof RepolensError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** Nothing running, nothing half-cloned: the workspace holds no checkout and no temp clone. */
async function expectCleanWorkspace(workspaceDir: string): Promise<void> {
  expect(await processesUnder(workspaceDir)).toEqual([]);
  expect(await readdir(join(workspaceDir, 'repos')).catch(() => [])).toEqual([]);
  expect(await readdir(join(workspaceDir, 'tmp')).catch(() => [])).toEqual([]);
}

describe('git-cli adapter: failures', () => {
  let root: RepoRoot;
  let daemon: TestServer;
  let http: HttpGitServer;
  let slowHttp: HttpGitServer;
  let authHttp: HttpGitServer;
  let failingHttp: HttpGitServer;
  let hanging: HangingServer;
  let bigBytes = 0;
  const spaces = workspaces();

  beforeAll(async () => {
    root = await createRepoRoot();
    await root.createBareRepo('small', { 'README.md': 'small\n' });
    const big: Record<string, Buffer> = {};
    for (let i = 0; i < 24; i++) big[`blob/${i}.bin`] = randomBytes(128 * 1024);
    bigBytes = 24 * 128 * 1024;
    await root.createBareRepo('big', big);
    const many: Record<string, string> = {};
    for (let i = 0; i < 40; i++) many[`f/${i}.txt`] = `${i}\n`;
    await root.createBareRepo('many', many);
    daemon = await startGitDaemon(root.dir);
    http = await startHttpGitServer(root.dir);
    slowHttp = await startHttpGitServer(root.dir, { bytesPerSecond: 1024 * 1024 });
    authHttp = await startHttpGitServer(root.dir, { auth: { username: 'user', password: 'hunter2-secret' } });
    failingHttp = await startHttpGitServer(root.dir, { respondWith: () => 503 });
    hanging = await startHangingServer();
  });

  afterAll(async () => {
    await spaces.closeAll();
    await Promise.all([daemon, http, slowHttp, authHttp, failingHttp, hanging].map((server) => server?.close()));
    await root?.remove();
  });

  it.each([
    ['git://', () => daemon.url('nope')],
    ['smart HTTP', () => http.url('nope')],
  ])('a repository that does not exist (%s) is a permanent notFound', async (_name, url) => {
    const { git, workspaceDir } = await spaces.create({ allowedProtocols: ['git', 'http'] });
    const error = await failureOf(git.sync(url(), { signal: signal() }));
    expect(error).toMatchObject({ code: 'REPOLENS_GIT_NOT_FOUND', retryable: false });
    expect(classifyFailure(error)).toBe('permanent');
    await expectCleanWorkspace(workspaceDir);
  });

  it('a repository that needs credentials we lack is a permanent authRequired', async () => {
    const { git, workspaceDir } = await spaces.create({ allowedProtocols: ['http'] });
    const error = await failureOf(git.sync(authHttp.url('small'), { signal: signal() }));
    expect(error).toMatchObject({ code: 'REPOLENS_GIT_AUTH_REQUIRED', retryable: false });
    // Wrong credentials are the same answer.
    const wrong = await spaces.create({
      allowedProtocols: ['http'],
      credentials: () => ({ username: 'user', password: 'wrong-password' }),
    });
    const again = await failureOf(wrong.git.sync(authHttp.url('small'), { signal: signal() }));
    expect(again).toMatchObject({ code: 'REPOLENS_GIT_AUTH_REQUIRED', retryable: false });
    expect(again.message).not.toContain('wrong-password');
    await expectCleanWorkspace(workspaceDir);
    await expectCleanWorkspace(wrong.workspaceDir);
  });

  it('a repository over maxRepositoryBytes is stopped while it transfers: permanent tooLarge', async () => {
    const limit = 512 * 1024;
    const { git, workspaceDir } = await spaces.create({
      allowedProtocols: ['http'],
      maxRepositoryBytes: limit,
      sizeCheckIntervalMs: 50,
    });
    const error = await failureOf(git.sync(slowHttp.url('big'), { signal: signal() }));
    expect(error).toMatchObject({ code: 'REPOLENS_GIT_TOO_LARGE', retryable: false });
    const observed = error.details['observedBytes'] as number;
    // Killed in flight: it saw more than the limit, far less than the whole repository.
    expect(observed).toBeGreaterThan(limit);
    expect(observed).toBeLessThan(bigBytes / 2);
    await expectCleanWorkspace(workspaceDir);
  });

  it('a repository with more than maxFiles files is refused before checkout: permanent tooManyFiles', async () => {
    const { git, workspaceDir } = await spaces.create({ maxFiles: 25 });
    const error = await failureOf(git.sync(daemon.url('many'), { signal: signal() }));
    expect(error).toMatchObject({ code: 'REPOLENS_GIT_TOO_MANY_FILES', retryable: false });
    await expectCleanWorkspace(workspaceDir);
    // Within the limit, the same repository clones.
    const { git: roomy } = await spaces.create({ maxFiles: 40 });
    await expect(roomy.sync(daemon.url('many'), { signal: signal() })).resolves.toMatchObject({ fetched: false });
  });

  it('a server that never answers is killed after timeoutMs: retryable timeout, no process left', async () => {
    const { git, workspaceDir } = await spaces.create({ allowedProtocols: ['git', 'http'], timeoutMs: 1_000 });
    const error = await failureOf(git.sync(hanging.url('x'), { signal: signal() }));
    expect(error).toMatchObject({ code: 'REPOLENS_GIT_TIMEOUT', retryable: true });
    expect(classifyFailure(error)).toBe('transient');
    expect(hanging.connections()).toBeGreaterThan(0);
    await expectCleanWorkspace(workspaceDir);
    const overHttp = await failureOf(git.sync(hanging.httpUrl('x'), { signal: signal() }));
    expect(overHttp).toMatchObject({ code: 'REPOLENS_GIT_TIMEOUT', retryable: true });
    await expectCleanWorkspace(workspaceDir);
  });

  it('aborting the signal kills git at once and rejects with the abort reason', async () => {
    const { git, workspaceDir } = await spaces.create({ allowedProtocols: ['git'] });
    const controller = new AbortController();
    const pending = git.sync(hanging.url('y'), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 300);
    await expect(pending).rejects.toThrow('stop now');
    await expectCleanWorkspace(workspaceDir);
  });

  it('server errors (HTTP 503) and refused connections are retryable unreachable', async () => {
    const { git, workspaceDir } = await spaces.create({ allowedProtocols: ['http', 'git'] });
    const error = await failureOf(git.sync(failingHttp.url('small'), { signal: signal() }));
    expect(error).toMatchObject({ code: 'REPOLENS_GIT_UNREACHABLE', retryable: true });
    const refused = await failureOf(git.sync('git://127.0.0.1:1/small.git', { signal: signal() }));
    expect(refused).toMatchObject({ code: 'REPOLENS_GIT_UNREACHABLE', retryable: true });
    await expectCleanWorkspace(workspaceDir);
  });

  describe('hostile URLs are refused before git runs', () => {
    let marker: string;
    let fakeGit: string;
    let scratch: string;

    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'repolens-fakegit-'));
      marker = join(scratch, 'git-ran');
      fakeGit = join(scratch, 'git');
      await writeFile(fakeGit, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
      await chmod(fakeGit, 0o755);
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    it.each([
      '-oProxyCommand=x',
      '--upload-pack=touch /tmp/x',
      'ext::sh -c touch% /tmp/repolens-pwned',
      'fd::17',
      'file:///etc',
      '/etc',
      'http://127.0.0.1/repo.git',
      'https:///repo.git',
      'ssh://-oProxyCommand=x/repo.git',
      '-host:repo.git',
      'https://example.com/repo.git\n--upload-pack=x',
      'https://example.com/repo.git?token=abc',
      'ftp://example.com/repo.git',
      '',
    ])('%j', async (url) => {
      const { git, workspaceDir } = await spaces.create({ gitBinary: fakeGit });
      const error = await failureOf(git.sync(url, { signal: signal() }));
      expect(error).toMatchObject({ code: 'REPOLENS_GIT_INVALID_URL', retryable: false });
      await expect(stat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat('/tmp/repolens-pwned')).rejects.toMatchObject({ code: 'ENOENT' });
      await expectCleanWorkspace(workspaceDir);
    });

    it('the same fake git does run for an allowed URL (so the check above can fail)', async () => {
      const { git } = await spaces.create({ gitBinary: fakeGit });
      await failureOf(git.sync('https://example.invalid/repo.git', { signal: signal() }));
      await expect(stat(marker)).resolves.toBeDefined();
      await rm(marker, { force: true });
    });
  });

  it('a password in the URL is used but appears in no error, log line or repository config', async () => {
    const logger = capturingLogger();
    const { git } = await spaces.create({ allowedProtocols: ['http'], logger });
    const withSecret = (name: string): string => authHttp.url(name).replace('http://', 'http://user:hunter2-secret@');
    const result = await git.sync(withSecret('small'), { signal: signal() });
    expect(result.fetched).toBe(false);
    const missing = await failureOf(git.sync(withSecret('nope'), { signal: signal() }));
    expect(missing.code).toBe('REPOLENS_GIT_NOT_FOUND');
    const hangingWithSecret = hanging.httpUrl('z').replace('http://', 'http://user:hunter2-secret@');
    const { git: impatient } = await spaces.create({ allowedProtocols: ['http'], logger, timeoutMs: 500 });
    const timedOut = await failureOf(impatient.sync(hangingWithSecret, { signal: signal() }));
    expect(timedOut.code).toBe('REPOLENS_GIT_TIMEOUT');

    for (const error of [missing, timedOut]) {
      const text = `${error.message} ${JSON.stringify(error.details)} ${String(error.stack)}`;
      expect(text).not.toContain('hunter2');
      expect(text).toContain('127.0.0.1');
    }
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).not.toContain('hunter2');
    const config = await import('node:fs/promises').then((fs) => fs.readFile(join(result.dir, '.git/config'), 'utf8'));
    expect(config).not.toContain('hunter2');
  });
});
