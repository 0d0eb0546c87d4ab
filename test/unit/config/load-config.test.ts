import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';

describe('loadConfig', () => {
  it('has the seed defaults and embedded mode when nothing is set', () => {
    const config = loadConfig();
    expect(config.brokers).toEqual([]);
    expect(config.retryDelaysMs).toEqual([60_000, 300_000, 900_000]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes flags over environment over the config file', () => {
    const config = loadConfig({
      file: { brokers: ['file:9092'], topicPrefix: 'file.', consumerConcurrency: 2 },
      env: { REPOLENS_BROKERS: 'env1:9092, env2:9092', REPOLENS_TOPIC_PREFIX: 'env.' },
      flags: { topicPrefix: 'flag.', brokers: undefined },
    });
    expect(config.brokers).toEqual(['env1:9092', 'env2:9092']);
    expect(config.topicPrefix).toBe('flag.');
    expect(config.consumerConcurrency).toBe(2);
  });

  it('parses retry delays from the environment', () => {
    expect(loadConfig({ env: { REPOLENS_RETRY_DELAYS_MS: '10,20,30' } }).retryDelaysMs).toEqual([10, 20, 30]);
  });

  it.each([
    [{ env: { REPOLENS_RETRY_DELAYS_MS: '10,20' } }, /retryDelaysMs: needs exactly 3 delays/],
    [{ env: { REPOLENS_BROKERS: 'localhost' } }, /brokers.0: must be host:port/],
    [{ env: { REPOLENS_CONSUMER_CONCURRENCY: 'many' } }, /consumerConcurrency/],
    [{ file: { unknownSetting: 1 } }, /unknownSetting/],
    [{ file: [] }, /config file must hold a JSON object/],
    [{ flags: { topicPrefix: 'bad prefix!' } }, /topicPrefix/],
  ])('rejects a bad value naming the setting (%j)', (sources, message) => {
    expect(() => loadConfig(sources as never)).toThrow(message);
  });
});
