import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts (or finds, via KAFKA_BROKERS) the Kafka cluster the tests share. Setups run once per
    // project, one after another; the first one started exports KAFKA_BROKERS, so the others
    // reuse its cluster.
    globalSetup: ['test/global-setup.ts'],
    // Child processes rather than worker threads: Kafka clients and spawned brokers behave as in
    // production, and a hung test cannot take the runner down with it.
    pool: 'forks',
    // Kafka on 2 cores is slow: group joins, leader elections and broker restarts take seconds.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/fault/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Fault tests kill brokers and consumer processes: they run after the rest, one file at a
        // time, so a killed broker never disturbs another test file.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/fault/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
