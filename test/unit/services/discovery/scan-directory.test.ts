/** Scanning a directory tree for repositories with real `git init` and real symlinks. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanForRepositories } from '../../../../src/services/discovery/scan-directory.js';

describe('scanForRepositories', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'repolens-scan-')));
    root = join(base, 'tree');
    outside = join(base, 'outside');
    const init = (dir: string, bare = false): void => {
      mkdirSync(dir, { recursive: true });
      execFileSync('git', ['init', '-q', ...(bare ? ['--bare'] : []), dir]);
    };
    init(join(root, 'top'));
    init(join(root, 'group', 'sub', 'deep'));
    init(join(root, 'mirrors', 'bare.git'), true);
    // Nested inside a found repository: the scan does not look inside repositories.
    init(join(root, 'top', 'vendor', 'nested'));
    init(join(root, 'app', 'node_modules', 'dep'));
    mkdirSync(join(root, 'empty', 'dir'), { recursive: true });
    // Looks like a bare repository only half-way: not one.
    mkdirSync(join(root, 'fake', 'objects'), { recursive: true });
    writeFileSync(join(root, 'fake', 'HEAD'), 'ref: refs/heads/main\n');
    // A worktree-style `.git` file counts.
    mkdirSync(join(root, 'worktree'));
    writeFileSync(join(root, 'worktree', '.git'), 'gitdir: /somewhere/else\n');
    // A loop and a link out of the tree: neither is followed.
    symlinkSync(root, join(root, 'group', 'loop'));
    init(outside);
    symlinkSync(outside, join(root, 'link-out'));
  });
  afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('finds working trees, bare repositories and worktrees at any depth, and nothing else', async () => {
    const { repositories, unreadable } = await scanForRepositories(root);
    expect(repositories).toEqual(
      [
        join(root, 'group', 'sub', 'deep'),
        join(root, 'mirrors', 'bare.git'),
        join(root, 'top'),
        join(root, 'worktree'),
      ].sort(),
    );
    expect(unreadable).toEqual([]);
  });

  it('reports the root itself when it is a repository', async () => {
    expect((await scanForRepositories(join(root, 'top'))).repositories).toEqual([join(root, 'top')]);
  });

  it('stops at the depth limit and refuses a tree larger than the directory limit', async () => {
    expect((await scanForRepositories(root, { maxDepth: 1 })).repositories).toEqual([
      join(root, 'top'),
      join(root, 'worktree'),
    ]);
    await expect(scanForRepositories(root, { maxDirectories: 3 })).rejects.toThrow(/more than 3 directories/);
  });

  it('refuses a root that is not a directory', async () => {
    await expect(scanForRepositories(join(root, 'missing'))).rejects.toMatchObject({ code: 'REPOLENS_INPUT_INVALID' });
  });
});
