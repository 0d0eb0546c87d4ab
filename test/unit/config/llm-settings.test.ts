/** The LLM settings: read from the environment, validated together, and the key treated as a secret. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { SECRET_SETTINGS } from '../../../src/config/schema.js';

describe('LLM settings', () => {
  it('are off by default, with a 120 s request timeout', () => {
    const config = loadConfig();
    expect(config.llmUrl).toBeUndefined();
    expect(config.llmModel).toBeUndefined();
    expect(config.llmTimeoutMs).toBe(120_000);
  });

  it('come from REPOLENS_LLM_* variables', () => {
    const config = loadConfig({
      env: {
        REPOLENS_LLM_URL: 'http://127.0.0.1:11434/v1',
        REPOLENS_LLM_MODEL: 'llama3.2',
        REPOLENS_LLM_API_KEY: 'sk-x',
        REPOLENS_LLM_TIMEOUT_MS: '30000',
      },
    });
    expect(config).toMatchObject({
      llmUrl: 'http://127.0.0.1:11434/v1',
      llmModel: 'llama3.2',
      llmApiKey: 'sk-x',
      llmTimeoutMs: 30_000,
    });
  });

  it.each([
    [
      { REPOLENS_LLM_URL: 'http://127.0.0.1:11434/v1' },
      /llmModel: is required when llmUrl is set \(REPOLENS_LLM_MODEL\)/,
    ],
    [{ REPOLENS_LLM_URL: 'not a url', REPOLENS_LLM_MODEL: 'm' }, /llmUrl/],
    [{ REPOLENS_LLM_TIMEOUT_MS: '10' }, /llmTimeoutMs/],
  ])('%j fails at start naming the setting', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('the API key is masked by `config print`', () => {
    expect(SECRET_SETTINGS.has('llmApiKey')).toBe(true);
  });
});
