/**
 * The normalized repository URL is every message's key and the database identity: spellings of
 * one repository must agree, credentials must never survive, and what git could run as a command
 * or read as an option must be refused with a reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepolensError } from '../../../src/domain/errors.js';
import { normalizeRepositoryUrl, stripCredentials } from '../../../src/domain/repository-url.js';

const remote = { allowLocal: false };

function refusal(input: string, options: { allowLocal: boolean; cwd?: string } = remote): RepolensError {
  try {
    normalizeRepositoryUrl(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(RepolensError);
    return error as RepolensError;
  }
  throw new Error(`expected ${input} to be refused`);
}

describe('normalizeRepositoryUrl: accepted spellings', () => {
  it.each([
    ['https://github.com/owner/repo', 'https://github.com/owner/repo'],
    ['HTTPS://GitHub.COM/Owner/Repo.git', 'https://github.com/Owner/Repo'],
    ['https://github.com/owner/repo.git/', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo///', 'https://github.com/owner/repo'],
    ['https://github.com:443/owner/repo', 'https://github.com/owner/repo'],
    ['https://github.com:8443/owner/repo', 'https://github.com:8443/owner/repo'],
    ['http://git.example.test:80/a/b', 'http://git.example.test/a/b'],
    ['http://git.example.test:8080/a/b', 'http://git.example.test:8080/a/b'],
    ['https://user:secret@github.com/owner/repo', 'https://github.com/owner/repo'],
    ['https://ghp_abcdef123@github.com/owner/repo', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo?tab=readme#top', 'https://github.com/owner/repo'],
    ['https://github.com//owner//repo', 'https://github.com/owner/repo'],
    ['https://github.com/owner/x/../repo', 'https://github.com/owner/repo'],
    ['https://github.com./owner/repo', 'https://github.com/owner/repo'],
    ['https://gitlab.com/group/sub/project.git', 'https://gitlab.com/group/sub/project'],
    ['https://host.test/a/r.git.git', 'https://host.test/a/r'],
    ['https://bücher.example/a/b', 'https://xn--bcher-kva.example/a/b'],
    ['https://[::1]:3000/a/b', 'https://[::1]:3000/a/b'],
    ['https://127.0.0.1:3000/a/b', 'https://127.0.0.1:3000/a/b'],
    ['ssh://git@github.com/owner/repo.git', 'ssh://git@github.com/owner/repo'],
    ['ssh://git@GitHub.com:22/owner/repo', 'ssh://git@github.com/owner/repo'],
    ['ssh://git@host.test:2222/owner/repo', 'ssh://git@host.test:2222/owner/repo'],
    ['ssh://git:hunter2@github.com/owner/repo', 'ssh://git@github.com/owner/repo'],
    ['ssh://host.test/srv/git/repo.git', 'ssh://host.test/srv/git/repo'],
    ['git+ssh://git@github.com/owner/repo', 'ssh://git@github.com/owner/repo'],
    ['ssh+git://git@github.com/owner/repo', 'ssh://git@github.com/owner/repo'],
    ['git@github.com:owner/repo.git', 'ssh://git@github.com/owner/repo'],
    ['git@GitHub.com:owner/repo', 'ssh://git@github.com/owner/repo'],
    ['git@github.com:/owner/repo/', 'ssh://git@github.com/owner/repo'],
    ['host.test:srv/repo', 'ssh://host.test/srv/repo'],
    ['git://git.kernel.org/pub/scm/git/git.git', 'git://git.kernel.org/pub/scm/git/git'],
    ['git://git.example.test:9418/a/b', 'git://git.example.test/a/b'],
    ['git://user:pw@git.example.test:9419/a/b', 'git://git.example.test:9419/a/b'],
  ])('%s → %s', (input, expected) => {
    const { url, display } = normalizeRepositoryUrl(input, remote);
    expect(url).toBe(expected);
    expect(display).toBe(expected);
    // Stable: normalizing the normal form changes nothing.
    expect(normalizeRepositoryUrl(url, remote).url).toBe(url);
  });

  it('gives one key to the scp-like and ssh:// spellings of one repository', () => {
    const spellings = [
      'git@github.com:owner/repo.git',
      'ssh://git@github.com/owner/repo',
      'ssh://git@github.com:22/owner/repo.git/',
      'git+ssh://git:pw@GITHUB.com/owner/repo',
    ];
    expect(new Set(spellings.map((s) => normalizeRepositoryUrl(s, remote).url)).size).toBe(1);
  });

  it('keeps https and ssh of one repository apart (they are different clone sources)', () => {
    expect(normalizeRepositoryUrl('https://github.com/o/r', remote).url).not.toBe(
      normalizeRepositoryUrl('git@github.com:o/r', remote).url,
    );
  });
});

describe('normalizeRepositoryUrl: refusals name the reason', () => {
  it.each([
    ['', /empty/],
    ['ftp://example.test/a/b', /unsupported scheme "ftp"/],
    ['svn://example.test/a/b', /unsupported scheme "svn"/],
    ['javascript://example.test/a', /unsupported scheme/],
    ['ext::sh -c touch% /tmp/pwned', /remote-helper syntax/],
    ['fd::17', /remote-helper syntax/],
    ['transport::https://github.com/o/r', /remote-helper syntax/],
    ['--upload-pack=touch /tmp/pwned', /starts with "-"/],
    ['-oProxyCommand=x', /starts with "-"/],
    ['ssh://-oProxyCommand=x/repo', /host starts with "-"/],
    ['ssh://-oProxyCommand=x@host.test/repo', /ssh user name/],
    ['git@-oProxyCommand=x:repo', /host starts with "-"/],
    ['https://github.com/owner/-repo', /starts with "-"/],
    ['ssh:///owner/repo', /no host/],
    ['https://github.com', /no repository path/],
    ['https://github.com/', /no repository path/],
    ['https://github.com/.git', /no repository path/],
    ['https://github.com/owner/re po', /whitespace/],
    [' https://github.com/owner/repo', /whitespace/],
    ['https://github.com/owner/repo\n', /control characters/],
    ['https://github.com/owner/repo\u0000', /control characters/],
    ['https://github.com\\@evil.test/owner/repo', /backslash/],
    ['https://exa mple.test/a', /whitespace/],
    ['ssh://ho%41st.test/a', /host/],
    ['https://host.test:99999/a', /does not parse/],
    ['https://host.test:0/a', /port 0/],
    [`https://github.com/${'a'.repeat(2100)}`, /longer than 2048/],
    ['user:hunter2@host.test:repo', /credentials are not allowed/],
    ['just-a-word', /not a repository URL/],
    ['/etc', /local paths are not allowed/],
    ['./repo', /local paths are not allowed/],
    ['file:///etc', /file:\/\/ URLs are not allowed/],
  ])('%j', (input, reason) => {
    const error = refusal(input);
    expect(error.code).toBe('REPOLENS_INVALID_REPOSITORY_URL');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(reason);
  });

  it('never echoes credentials in the error', () => {
    for (const input of [
      'ftp://alice:hunter2@example.test/a',
      'https://alice:hunter2@example.test',
      'alice:hunter2@example.test:repo',
      'https://alice:hunter2@exa mple.test/a',
    ]) {
      const error = refusal(input);
      expect(error.message).not.toContain('hunter2');
      expect(JSON.stringify(error.details)).not.toContain('hunter2');
    }
  });
});

describe('normalizeRepositoryUrl: local repositories', () => {
  let root: string;
  let work: string;
  let bare: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'repolens-url-'));
    work = join(root, 'work tree');
    bare = join(root, 'bare.git');
    execFileSync('git', ['init', '-q', work]);
    execFileSync('git', ['init', '-q', '--bare', bare]);
    mkdirSync(join(root, 'plain'));
    writeFileSync(join(root, 'file.txt'), 'x');
    symlinkSync(work, join(root, 'link'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resolves a working tree, a bare repository, a relative path and a file:// URL to one absolute file URL', () => {
    const local = { allowLocal: true, cwd: root };
    const fromPath = normalizeRepositoryUrl(work, local);
    expect(fromPath.url).toMatch(/^file:\/\/\/.*\/work%20tree$/);
    expect(fromPath.display).toBe(work);
    expect(normalizeRepositoryUrl('./work tree', local).url).toBe(fromPath.url);
    expect(normalizeRepositoryUrl(`${work}/`, local).url).toBe(fromPath.url);
    expect(normalizeRepositoryUrl(fromPath.url, local).url).toBe(fromPath.url);
    // Symlinks resolve, so one repository has one key.
    expect(normalizeRepositoryUrl(join(root, 'link'), local).url).toBe(fromPath.url);
    // A bare repository keeps its `.git` name: it is the directory's real name.
    expect(normalizeRepositoryUrl('bare.git', local).url).toMatch(/\/bare\.git$/);
  });

  it('refuses what is not a repository, and relative paths without a working directory', () => {
    const local = { allowLocal: true, cwd: root };
    expect(refusal(join(root, 'plain'), local).message).toMatch(/not a git repository/);
    expect(refusal(join(root, 'file.txt'), local).message).toMatch(/not a directory/);
    expect(refusal(join(root, 'missing'), local).message).toMatch(/does not exist/);
    expect(refusal('file://other-host/srv/repo', local).message).toMatch(/must not name a host/);
    expect(refusal('~/repo', local).message).toMatch(/"~" is not expanded/);
    expect(refusal('work tree', { allowLocal: true }).message).toMatch(/needs a working directory/);
  });
});

describe('stripCredentials', () => {
  it.each([
    ['https://alice:hunter2@github.com/o/r', 'https://github.com/o/r'],
    ['https://alice:hun@ter2@github.com/o/r', 'https://github.com/o/r'],
    ['https://ghp_token@github.com/o/r', 'https://github.com/o/r'],
    ['https://github.com/o/r?private_token=hunter2&page=2', 'https://github.com/o/r?private_token=***&page=2'],
    ['alice:hunter2@host.test:repo', '***@host.test:repo'],
    ['git@github.com:o/r', 'git@github.com:o/r'],
    ['not a url at all', 'not a url at all'],
  ])('%s → %s', (input, expected) => {
    expect(stripCredentials(input)).toBe(expected);
  });
});
