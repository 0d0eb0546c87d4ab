import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts (or finds, via KAFKA_BROKERS) the Kafka cluster the tests share.
    globalSetup: ['test/global-setup.ts'],
    // Child processes rather than worker threads: Kafka clients and spawned brokers behave as in
    // production, and a hung test cannot take the runner down with it.
    pool: 'forks',
    // Kafka on 2 cores is slow: group joins, leader elections and broker restarts take seconds.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
