/**
 * `repolens analyze` in embedded mode (issue 9): no Kafka, no database server. 20 repositories
 * served by `git daemon` are analysed in one process with `--json`; a repository that does not
 * exist fails clearly without stopping the others; a run killed with SIGKILL resumes on the next
 * start; and the README's first command analyses this repository itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  createRepoRoot,
  startGitDaemon,
  startHttpGitServer,
  type BareRepo,
  type RepoRoot,
  type TestServer,
} from '../support/git-server.js';

interface AnalyzeJson {
  repositories: {
    repository_url: string;
    status: 'analyzed' | 'failed';
    commit: string | null;
    reports: { json: string; md: string; html: string } | null;
    error: string | null;
  }[];
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let root: RepoRoot;
let daemon: TestServer;
const repos: BareRepo[] = [];
let scratch: string;

function files(i: number): Record<string, string> {
  return {
    'README.md': `# tool-${i}\n\nConverts units.\n`,
    'package.json': JSON.stringify({
      name: `tool-${i}`,
      version: '0.1.0',
      license: 'MIT',
      dependencies: { ms: '^2.1.3' },
    }),
    'src/convert.ts': `export function toMeters${i}(feet: number): number {\n  if (feet < 0) {\n    throw new RangeError('negative');\n  }\n  return feet * 0.3048;\n}\n`,
    'src/convert.test.ts': `import { toMeters${i} } from './convert';\n\nit('converts', () => expect(toMeters${i}(1)).toBeCloseTo(0.3048));\n`,
  };
}

const urlOf = (repo: BareRepo): string => daemon.url(repo.name).replace(/\.git$/, '');
const env = (dataDir: string): NodeJS.ProcessEnv => ({
  REPOLENS_DATA_DIR: dataDir,
  REPOLENS_GIT_PROTOCOLS: 'git',
  CI: process.env['CI'],
});

beforeAll(async () => {
  root = await createRepoRoot();
  for (let i = 0; i < 20; i++) repos.push(await root.createBareRepo(`tool-${i}`, files(i)));
  daemon = await startGitDaemon(root.dir);
  scratch = mkdtempSync(join(tmpdir(), 'repolens-analyze-'));
}, 60_000);

afterAll(async () => {
  await daemon?.close();
  await root?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe('repolens analyze (embedded)', () => {
  it('analyses 20 repositories in one process and writes every report', async () => {
    const dataDir = join(scratch, 'twenty');
    const result = await runCli(['analyze', '--json', ...repos.map(urlOf)], { env: env(dataDir), timeoutMs: 300_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as AnalyzeJson;
    expect(summary.repositories).toHaveLength(20);
    for (const [i, repo] of repos.entries()) {
      const entry = summary.repositories.find((r) => r.repository_url === urlOf(repo));
      expect(entry, repo.name).toMatchObject({ status: 'analyzed', commit: repo.commits.at(-1), error: null });
      const report = JSON.parse(readFileSync(entry?.reports?.json ?? '', 'utf8')) as { identity: { commit: string } };
      expect(report.identity.commit).toBe(repo.commits.at(-1));
      expect(readFileSync(entry?.reports?.md ?? '', 'utf8')).toContain(urlOf(repo));
      expect(readFileSync(entry?.reports?.html ?? '', 'utf8')).toMatch(/^<!doctype html>/i);
      expect(i).toBeGreaterThanOrEqual(0);
    }
  }, 320_000);

  it('reports a repository that does not exist as failed, finishes the others and exits non-zero', async () => {
    const dataDir = join(scratch, 'missing');
    const missing = daemon.url('no-such-repo').replace(/\.git$/, '');
    const result = await runCli(['analyze', '--json', urlOf(repos[0] as BareRepo), missing, 'ext::sh -c evil'], {
      env: env(dataDir),
      timeoutMs: 120_000,
    });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as AnalyzeJson;
    expect(summary.repositories.find((r) => r.repository_url === urlOf(repos[0] as BareRepo))?.status).toBe('analyzed');
    const failed = summary.repositories.find((r) => r.repository_url === missing);
    expect(failed).toMatchObject({ status: 'failed', reports: null });
    expect(failed?.error).toMatch(/not found|does not exist/i);
    const rejected = summary.repositories.find((r) => r.repository_url === 'ext::sh -c evil');
    expect(rejected?.status).toBe('failed');
    expect(result.stderr).toMatch(/2 of 3 repositories were not analysed|were not analysed/);

    // The stored manifest of the analysed one: every file with its decision.
    const files = await runCli(['files', urlOf(repos[0] as BareRepo), '--json', '--data-dir', dataDir], {
      timeoutMs: 60_000,
    });
    expect(files.code, files.stderr).toBe(0);
    const manifest = JSON.parse(files.stdout) as { files: { path: string; included: boolean; reason: string }[] };
    expect(manifest.files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'package.json',
      'src/convert.test.ts',
      'src/convert.ts',
    ]);
    expect(manifest.files.every((f) => f.included && f.reason === 'included')).toBe(true);
  }, 150_000);

  it('clones a private repository over smart HTTP with credentials from REPOLENS_GIT_CREDENTIALS, never echoing them', async () => {
    const server = await startHttpGitServer(root.dir, { auth: { username: 'alice', password: 's3cr3t-t0ken' } });
    try {
      const url = server.url('tool-1').replace(/\.git$/, '');
      const host = new URL(url).host;
      const dataDir = join(scratch, 'private');
      const denied = await runCli(['analyze', '--json', url], {
        env: { REPOLENS_DATA_DIR: dataDir, REPOLENS_GIT_PROTOCOLS: 'http' },
        timeoutMs: 120_000,
      });
      expect(denied.code).toBe(1);
      expect((JSON.parse(denied.stdout) as AnalyzeJson).repositories[0]?.error).toMatch(/credentials/);
      const allowed = await runCli(['analyze', '--json', url], {
        env: {
          REPOLENS_DATA_DIR: join(scratch, 'private-ok'),
          REPOLENS_GIT_PROTOCOLS: 'http',
          REPOLENS_GIT_CREDENTIALS: `${host}=alice:s3cr3t-t0ken`,
        },
        timeoutMs: 120_000,
      });
      expect(allowed.code, allowed.stderr).toBe(0);
      expect((JSON.parse(allowed.stdout) as AnalyzeJson).repositories[0]).toMatchObject({
        status: 'analyzed',
        commit: repos[1]?.commits.at(-1),
      });
      for (const output of [denied.stdout, denied.stderr, allowed.stdout, allowed.stderr]) {
        expect(output).not.toContain('s3cr3t-t0ken');
      }
    } finally {
      await server.close();
    }
  }, 260_000);

  it('resumes after kill -9: every repository ends analysed and finished stages are not run again', async () => {
    const dataDir = join(scratch, 'resume');
    const urls = repos.slice(0, 6).map(urlOf);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'analyze', ...urls], {
      cwd: repoRoot,
      env: { ...process.env, ...env(dataDir) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        // Killed once some repository finished selection: mid-run, with work done to keep.
        if (/loading RAG index|analysing/.test(stderr)) resolve();
      });
      child.once('close', () => reject(new Error(`analyze ended before it could be killed:\n${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));

    const again = await runCli(['analyze', '--json', ...urls], { env: env(dataDir), timeoutMs: 200_000 });
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as AnalyzeJson;
    expect(summary.repositories.every((r) => r.status === 'analyzed')).toBe(true);

    const status = await runCli(['status', '--json', '--data-dir', dataDir], { timeoutMs: 60_000 });
    const rows = (JSON.parse(status.stdout) as { repositories: { url: string; state: string }[] }).repositories;
    expect(rows.filter((r) => urls.includes(r.url)).map((r) => r.state)).toEqual(urls.map(() => 'analyzed'));
  }, 260_000);

  it("the README's first command analyses this repository itself, offline", async () => {
    const dataDir = join(scratch, 'self');
    const result = await runCli(['analyze', '--json', '.'], {
      env: { REPOLENS_DATA_DIR: dataDir },
      timeoutMs: 400_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const [entry] = (JSON.parse(result.stdout) as AnalyzeJson).repositories;
    expect(entry?.status).toBe('analyzed');
    expect(entry?.repository_url).toBe(`file://${repoRoot.replace(/\/$/, '')}`);
    const report = JSON.parse(readFileSync(entry?.reports?.json ?? '', 'utf8')) as {
      composition: { primary_language: string | null };
    };
    expect(report.composition.primary_language).toBe('TypeScript');
    expect(existsSync(entry?.reports?.html ?? '')).toBe(true);
  }, 420_000);
});
