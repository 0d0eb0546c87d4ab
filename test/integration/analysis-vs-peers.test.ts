/**
 * Accuracy against peer tools on real code nobody here wrote: copies of npm packages from
 * node_modules (git init + commit, as a repository would arrive) and this project, each with File
 * Selection's real manifest. The primary
 * language must agree with GitHub Linguist (`github-linguist`), the license with the package's
 * declared `license` and with Debian's `licensecheck`. In CI (CI=true) a missing tool fails.
 * Install: flock /tmp/apt.lock sh -c 'apt-get update -qq; apt-get install -y -qq ruby-github-linguist licensecheck'
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeRepository } from '../../src/services/analysis/index.js';
import { selectFiles } from '../../src/services/selection/index.js';

const CI = process.env.CI === 'true';
const ROOT = new URL('../../', import.meta.url).pathname;
const PACKAGES = ['commander', 'semver', 'detect-libc', 'estraverse', '@humanwhocodes/retry'];

function installed(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}
const TOOLS_PRESENT = installed('github-linguist') && installed('licensecheck');

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Linguist's top language: its output is `NN.NN%  bytes  Language` lines, largest first. */
function linguistPrimary(dir: string): string | null {
  const out = execFileSync('github-linguist', [dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const first = out.split('\n').find((line) => /^\s*\d+(\.\d+)?%/.test(line));
  return first === undefined ? null : first.trim().split(/\s+/).slice(2).join(' ');
}

/** licensecheck's SPDX short name for a file (its `*No copyright*` marker dropped). */
function licensecheckId(file: string): string {
  const out = execFileSync('licensecheck', ['--check', '.*', '--shortname-scheme=spdx', file], { encoding: 'utf8' });
  return out
    .slice(out.lastIndexOf(': ') + 2)
    .replace('*No copyright*', '')
    .trim();
}

/** The report as the pipeline makes it: File Selection's manifest, then the analysis. */
async function analyse(dir: string) {
  const manifest = await selectFiles({ root: dir, repositoryUrl: `file://${dir}`, commit: '0'.repeat(40) });
  return analyzeRepository({
    repositoryUrl: `file://${dir}`,
    defaultBranch: 'main',
    commit: '0'.repeat(40),
    analyzedAt: new Date('2024-06-01T00:00:00Z'),
    repolensVersion: 'test',
    root: dir,
    manifest,
    history: [],
  });
}

describe.skipIf(!TOOLS_PRESENT && !CI)('analysis agrees with github-linguist and licensecheck', () => {
  const temp = mkdtempSync(join(tmpdir(), 'repolens-peers-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('the peer tools are installed', () => {
    expect(installed('github-linguist'), 'apt-get install ruby-github-linguist').toBe(true);
    expect(installed('licensecheck'), 'apt-get install licensecheck').toBe(true);
  });

  it.each(PACKAGES)('%s: primary language and license', async (name) => {
    const dir = join(temp, name.replace('/', '__'));
    cpSync(join(ROOT, 'node_modules', name), dir, { recursive: true });
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'import');
    const report = await analyse(dir);
    expect(report.composition.primary_language).toBe(linguistPrimary(dir));
    const declared = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { license: string }).license;
    expect(report.license.source).toBe('file');
    expect(report.license.spdx_id).toBe(declared);
    expect(report.license.spdx_id?.toLowerCase()).toBe(
      licensecheckId(join(dir, report.license.file as string)).toLowerCase(),
    );
  });

  it('this project: primary language agrees with linguist, license with package.json', async () => {
    const report = await analyse(ROOT);
    expect(report.composition.primary_language).toBe(linguistPrimary(ROOT));
    expect(report.license).toMatchObject({ spdx_id: 'MIT', source: 'file', file: 'LICENSE' });
    expect(licensecheckId(join(ROOT, 'LICENSE'))).toBe('MIT');
  });
});
