/** Environment values are parsed by the kind their setting's schema declares, for every setting. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { SECRET_SETTINGS } from '../../../src/config/schema.js';

describe('settings from the environment', () => {
  it('parses numbers, lists and strings by the schema, without a per-setting list', () => {
    const config = loadConfig({
      env: {
        REPOLENS_CLONE_TIMEOUT_MS: '120000',
        REPOLENS_GIT_PROTOCOLS: 'https, git',
        REPOLENS_ALERT_ERROR_RATE_PERCENT: '2.5',
        REPOLENS_TOKEN_BUDGET: '50000',
        REPOLENS_EMBEDDER_URL: 'http://127.0.0.1:11434/v1',
        REPOLENS_WORKSPACE: '/srv/repolens/workspace',
        REPOLENS_WORKSPACE_HOUSEKEEPING_INTERVAL_MS: '0',
      },
    });
    expect(config.cloneTimeoutMs).toBe(120_000);
    expect(config.gitProtocols).toEqual(['https', 'git']);
    expect(config.alertErrorRatePercent).toBe(2.5);
    expect(config.tokenBudget).toBe(50_000);
    expect(config.embedderUrl).toBe('http://127.0.0.1:11434/v1');
    expect(config.workspaceDir).toBe('/srv/repolens/workspace');
    expect(config.workspaceHousekeepingIntervalMs).toBe(0);
    expect(loadConfig({}).workspaceHousekeepingIntervalMs).toBe(15 * 60_000);
  });

  it('names the setting when an environment value is unusable', () => {
    expect(() => loadConfig({ env: { REPOLENS_CLONE_TIMEOUT_MS: 'soon' } })).toThrow(/cloneTimeoutMs/);
    expect(() => loadConfig({ env: { REPOLENS_GIT_PROTOCOLS: 'ext' } })).toThrow(/gitProtocols/);
  });

  it('marks the API keys as secrets', () => {
    expect([...SECRET_SETTINGS].sort()).toEqual(['apiKey', 'embedderApiKey', 'gitCredentials', 'llmApiKey']);
  });
});
