/** `repolens select <path>`, as a user runs it: the summary, and `--json` in its documented shape. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('repolens select', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'repolens-select-cli-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'README.md'), '# Demo\n');
    writeFileSync(join(root, 'src', 'main.py'), 'print("hello")\n');
    writeFileSync(join(root, 'yarn.lock'), '# lock\n');
    writeFileSync(join(root, '.env'), `SECRET_KEY=${'s3cr3t'.repeat(4)}\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints every decision as JSON with files and totals only', async () => {
    const result = await runCli(['select', root, '--json', '--max-file-bytes', '1000']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { files: Record<string, unknown>[]; totals: Record<string, unknown> };
    expect(Object.keys(output).sort()).toEqual(['files', 'totals']);
    expect(output.files.map((file) => Object.keys(file).sort())[0]).toEqual(
      ['bytes', 'included', 'language', 'path', 'rank', 'reason', 'rule', 'tokens'].sort(),
    );
    const byPath = new Map(output.files.map((file) => [file['path'], file]));
    expect(byPath.get('src/main.py')).toMatchObject({ included: true, language: 'Python' });
    expect(byPath.get('yarn.lock')).toMatchObject({ included: false, reason: 'default_ignore' });
    expect(byPath.get('.env')).toMatchObject({ included: false, reason: 'secret' });
    expect(output.totals).toMatchObject({ files: 4, included: 2, secrets: 1 });
    expect(result.stdout).not.toContain('s3cr3t');
  });

  it('prints a summary with reasons, languages and secrets by type, path and line', async () => {
    const result = await runCli(['select', root]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 paths: 2 included');
    expect(result.stdout).toMatch(/default_ignore\s+1/);
    expect(result.stdout).toMatch(/Python\s+1/);
    expect(result.stdout).toMatch(/dotenv-secret\s+\.env\s+1/);
    expect(result.stdout).not.toContain('s3cr3t');
  });
});
