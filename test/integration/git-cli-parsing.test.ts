/**
 * The git adapter's pure parts, without git: which URLs pass and in what form, how git's
 * progress lines become one monotonic, throttled percent, and how stderr maps to error codes.
 */
import { describe, expect, it } from 'vitest';
import { classifyStderr, stderrSummary } from '../../src/adapters/git-cli/errors.js';
import { createProgressTracker, parseProgressLine } from '../../src/adapters/git-cli/progress.js';
import { parseRepositoryUrl } from '../../src/adapters/git-cli/url-policy.js';
import type { SyncProgress } from '../../src/ports/git.js';

const policy = { allowedProtocols: ['https', 'ssh', 'git'], allowLocal: false };

describe('repository URL policy', () => {
  it('takes credentials out of an https URL and names the directory from the URL without them', () => {
    const parsed = parseRepositoryUrl('https://alice:s%40cret@Example.com/Org/Repo.git', policy);
    expect(parsed.gitUrl).toBe('https://example.com/Org/Repo.git');
    expect(parsed.inlineCredentials).toEqual({ username: 'alice', password: 's@cret' });
    expect(parsed.directoryName).toMatch(/^example-com-org-repo-[0-9a-f]{12}$/);
    expect(parsed.directoryName).toBe(parseRepositoryUrl('https://example.com/Org/Repo.git', policy).directoryName);
    expect(parsed.directoryName).not.toBe(
      parseRepositoryUrl('https://example.com/Org/Other.git', policy).directoryName,
    );
  });

  it('accepts ssh in URL and scp-like form, keeping the ssh user', () => {
    expect(parseRepositoryUrl('ssh://git@example.com/org/repo.git', policy).gitUrl).toBe(
      'ssh://git@example.com/org/repo.git',
    );
    expect(parseRepositoryUrl('git@example.com:org/repo.git', policy)).toMatchObject({
      gitUrl: 'git@example.com:org/repo.git',
      protocol: 'ssh',
    });
    expect(() =>
      parseRepositoryUrl('git@example.com:org/repo.git', { ...policy, allowedProtocols: ['https'] }),
    ).toThrow(/ssh/);
  });

  it('never echoes a password in its refusal', () => {
    let caught: unknown;
    try {
      parseRepositoryUrl('ftp://bob:topsecret@example.com/repo.git', policy);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'REPOLENS_GIT_INVALID_URL' });
    expect((caught as Error).message).toContain('ftp://example.com/repo.git');
    expect((caught as Error).message).not.toContain('topsecret');
  });
});

describe('progress', () => {
  it('parses git progress lines with and without byte counts', () => {
    expect(parseProgressLine('Receiving objects:  45% (9/20), 1.50 MiB | 2.00 MiB/s')).toEqual({
      phase: 'Receiving objects',
      percent: 45,
      bytes: 1572864,
    });
    expect(parseProgressLine('remote: Counting objects: 100% (7/7), done.')).toMatchObject({
      phase: 'Counting objects',
      bytes: undefined,
    });
    expect(parseProgressLine("Cloning into 'x'...")).toBeUndefined();
  });

  it('maps slices and phases into one percent that never goes back and is throttled', () => {
    let clock = 0;
    const events: SyncProgress[] = [];
    const tracker = createProgressTracker(
      (p) => events.push(p),
      250,
      () => clock,
    );
    tracker.slice(0, 40, 'Cloning');
    for (const [at, line] of [
      [300, 'Receiving objects:  50% (1/2)'],
      [350, 'Receiving objects: 100% (2/2)'], // within 250 ms of the last report: dropped
      [700, 'Resolving deltas: 100% (1/1)'],
      [1000, 'remote: Counting objects: 10% (1/10)'], // a later, lower phase: never backwards
    ] as const) {
      clock = at;
      tracker.line(line);
    }
    clock = 1300;
    tracker.slice(40, 90, 'Receiving objects');
    clock = 1310;
    tracker.finish();
    tracker.finish();
    expect(events.map((e) => e.percent)).toEqual([0, 20, 40, 100]);
  });
});

describe('stderr classification', () => {
  it.each([
    ["fatal: repository 'http://h/x.git/' not found", 'REPOLENS_GIT_NOT_FOUND'],
    ['fatal: remote error: access denied or repository not exported: /x.git', 'REPOLENS_GIT_NOT_FOUND'],
    ["fatal: could not read Username for 'https://h': terminal prompts disabled", 'REPOLENS_GIT_AUTH_REQUIRED'],
    [
      'git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.',
      'REPOLENS_GIT_AUTH_REQUIRED',
    ],
    ["fatal: transport 'file' not allowed", 'REPOLENS_GIT_INVALID_URL'],
    ["fatal: unable to access 'https://h/': Could not resolve host: h", 'REPOLENS_GIT_UNREACHABLE'],
    ['error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502', 'REPOLENS_GIT_UNREACHABLE'],
    ['fatal: something else entirely', 'REPOLENS_GIT_FAILED'],
  ])('%j -> %s', (stderr, code) => {
    expect(classifyStderr(stderr)).toBe(code);
  });

  it('summaries drop progress lines and secrets', () => {
    const summary = stderrSummary(
      "Receiving objects:  10% (1/10)\rfatal: unable to access 'https://u:pw-123456@h/x.git/': boom\n",
      ['pw-123456'],
    );
    expect(summary).toBe("fatal: unable to access 'https://***@h/x.git/': boom");
  });
});
