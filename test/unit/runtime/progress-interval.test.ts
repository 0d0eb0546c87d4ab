/** How often a stage may publish progress: the setting, else a default that fits the bus. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { progressIntervalMs } from '../../../src/runtime/services.js';

describe('progress interval', () => {
  it('defaults to 250 ms on the in-process bus and 1000 ms on Kafka', () => {
    const config = loadConfig();
    expect(progressIntervalMs(config, 'embedded')).toBe(250);
    expect(progressIntervalMs(config, 'distributed')).toBe(1000);
  });

  it('takes REPOLENS_PROGRESS_INTERVAL_MS in both modes, and refuses a negative one', () => {
    const config = loadConfig({ env: { REPOLENS_PROGRESS_INTERVAL_MS: '500' } });
    expect(progressIntervalMs(config, 'embedded')).toBe(500);
    expect(progressIntervalMs(config, 'distributed')).toBe(500);
    expect(() => loadConfig({ env: { REPOLENS_PROGRESS_INTERVAL_MS: '-1' } })).toThrow(/progressIntervalMs/);
  });
});
