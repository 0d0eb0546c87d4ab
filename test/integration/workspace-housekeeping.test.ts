/**
 * The services' workspace keeps to `workspaceTtlMs` and `workspaceMaxBytes` by itself: the git
 * adapter of a service environment (as `analyze`, `serve` and `worker` open it) housekeeps after
 * its syncs, without anyone calling `housekeep()`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/system/silent-logger.js';
import { openEnvironment } from '../../src/composition/open-environment.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createRepoRoot, type RepoRoot } from '../support/git-server.js';

const DAY_MS = 24 * 3600_000;

describe('service environment: workspace housekeeping', () => {
  let root: RepoRoot;
  let dataDir: string;

  beforeAll(async () => {
    root = await createRepoRoot();
    for (const name of ['one', 'two']) await root.createBareRepo(name, { [`${name}.txt`]: `${name}\n` });
    dataDir = await mkdtemp(join(tmpdir(), 'repolens-housekeeping-'));
  });

  afterAll(async () => {
    await root?.remove();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('removes a checkout unused for longer than workspaceTtlMs once the services clone again', async () => {
    const config = loadConfig({ flags: { dataDir, workspaceTtlMs: DAY_MS, workspaceHousekeepingIntervalMs: 0 } });
    const env = await openEnvironment(
      config,
      { mode: 'embedded', allowLocal: true },
      {
        version: 'test',
        logger: silentLogger,
        connectKafka: () => Promise.reject(new Error('no Kafka in embedded mode')),
      },
    );
    const signal = AbortSignal.timeout(50_000);
    try {
      const one = await env.git.sync(join(root.dir, 'one.git'), { signal });
      const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
      await utimes(one.dir, twoDaysAgo, twoDaysAgo);
      const two = await env.git.sync(join(root.dir, 'two.git'), { signal });
      // Closing waits for the housekeeping the second sync set off.
      await env.close();
      expect(existsSync(one.dir)).toBe(false);
      expect(existsSync(two.dir)).toBe(true);
    } finally {
      await env.close();
    }
  });
});
