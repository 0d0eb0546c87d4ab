/**
 * File Selection on real code: copies of packages from this repository's node_modules (each made
 * a git repository) and repolens' own tracked files (git ls-files, so no node_modules or build
 * output on disk). Asserts what matters to readers of a manifest: no lock files, no build output,
 * no dependency folders included, every path decided with a known reason and a rule.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest, SelectionReason } from '../../src/ports/manifest-store.js';
import { selectFiles } from '../../src/services/selection/index.js';

const REASONS: readonly SelectionReason[] = [
  'included',
  'gitignore',
  'default_ignore',
  'vendored',
  'generated',
  'binary',
  'too_large',
  'secret',
  'symlink',
  'unreadable',
  'over_budget',
];
const LOCK_FILE =
  /(?:^|\/)(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Gemfile\.lock|composer\.lock|go\.sum)$/;
const repoRoot = join(import.meta.dirname, '..', '..');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function commitAll(dir: string): void {
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'import');
}

function expectSane(manifest: Manifest): void {
  for (const file of manifest.files) {
    expect(REASONS).toContain(file.reason);
    expect(file.rule.length).toBeGreaterThan(0);
    expect(file.included).toBe(file.reason === 'included');
    if (!file.included) continue;
    expect(file.path, 'no lock file included').not.toMatch(LOCK_FILE);
    expect(file.path, 'no dependency folder included').not.toMatch(/(?:^|\/)(?:node_modules|bower_components)\//);
    expect(file.path, 'no build output included').not.toMatch(/(?:^|\/)(?:dist|build|coverage)\//);
    expect(file.tokens).toBeGreaterThanOrEqual(0);
    expect(file.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(file.rank).not.toBeNull();
  }
}

describe('selectFiles on real repositories', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'repolens-real-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(['commander', 'ignore', 'picomatch'])('selects node_modules/%s sensibly', async (name) => {
    const dir = join(work, name);
    cpSync(join(repoRoot, 'node_modules', name), dir, { recursive: true });
    commitAll(dir);
    const manifest = await selectFiles({ root: dir, repositoryUrl: `file://${dir}`, commit: 'HEAD' });
    expectSane(manifest);
    expect(manifest.totals.included).toBeGreaterThan(0);
    const readme = manifest.files.find((file) => /^readme\.md$/i.test(file.path));
    expect(readme).toMatchObject({ included: true, category: 'docs', language: 'Markdown' });
    const best = manifest.files.filter((file) => file.included).sort((a, b) => (b.rank ?? 0) - (a.rank ?? 0))[0];
    expect(best?.path).toBe(readme?.path);
    // Every git-tracked file is accounted for: listed itself, or under a listed excluded directory.
    const listed = new Set(manifest.files.map((file) => file.path));
    const directories = manifest.files.filter((file) => file.path.endsWith('/')).map((file) => file.path);
    for (const path of git(dir, 'ls-files', '-z').split('\0').filter(Boolean)) {
      expect(listed.has(path) || directories.some((directory) => path.startsWith(directory)), path).toBe(true);
    }
  });

  it('selects repolens itself: sources in, lock file out, every file decided', async () => {
    const dir = join(work, 'repolens');
    const tracked = git(repoRoot, 'ls-files', '-z').split('\0').filter(Boolean);
    for (const path of tracked) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      cpSync(join(repoRoot, path), join(dir, path));
    }
    commitAll(dir);
    const manifest = await selectFiles({ root: dir, repositoryUrl: 'file://repolens', commit: 'HEAD' });
    expectSane(manifest);
    const byPath = new Map(manifest.files.map((file) => [file.path, file]));
    expect(byPath.get('package-lock.json')).toMatchObject({ included: false, reason: 'default_ignore' });
    expect(byPath.get('src/main.ts')).toMatchObject({ included: true, language: 'TypeScript', category: 'source' });
    expect(byPath.get('README.md')?.included).toBe(true);
    const sources = tracked.filter((path) => path.startsWith('src/') && path.endsWith('.ts'));
    for (const path of sources) expect(byPath.get(path)?.reason, path).toBeDefined();
    expect(sources.filter((path) => byPath.get(path)?.included === true).length).toBeGreaterThan(sources.length * 0.9);
  });
});
