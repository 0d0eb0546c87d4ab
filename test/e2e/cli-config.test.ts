/**
 * `repolens config print` shows the effective settings with secrets masked, and the README's
 * configuration table documents every setting with its environment variable.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../src/config/schema.js';
import { runCli } from '../support/cli.js';

describe('repolens config print', () => {
  it('prints effective values from the environment with secrets and database passwords masked', async () => {
    const result = await runCli(['config', 'print', '--json'], {
      env: {
        REPOLENS_API_KEY: 'sekrit-api-key',
        REPOLENS_EMBEDDER_API_KEY: 'sekrit-embedder-key',
        DATABASE_URL: 'postgres://repolens:hunter2@db.example.test:5432/repolens',
        REPOLENS_CONSUMER_CONCURRENCY: '7',
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/sekrit|hunter2/);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed['consumerConcurrency']).toBe(7);
    expect(printed['apiKey']).toBe('********');
    expect(printed['databaseUrl']).toBe('postgres://repolens:********@db.example.test:5432/repolens');
  });

  it('the README documents every setting and its environment variable', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [variable, setting] of Object.entries(ENVIRONMENT_VARIABLES)) {
      expect(readme, setting).toContain(`\`${setting}\``);
      expect(readme, variable).toContain(`\`${variable}\``);
    }
  });
});
