/**
 * Workers on one machine can share a workspace (README: distributed use): the checkout locks are
 * per repository across processes, so a stage that runs on the other worker finds the checkout
 * the cloning worker made and runs no git, instead of cloning the repository a second time as a
 * worker on another machine would. Two real `repolens worker` processes on Kafka, one workspace.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture.js';

const REPOSITORIES = 8;
let fixture: PipelineFixture;
let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'repolens-shared-workspace-'));
  fixture = await createPipelineFixture(REPOSITORIES, {
    REPOLENS_WORKSPACE: workspace,
    // `cloned for ensure` is an info line: a stage that had to clone again.
    REPOLENS_LOG_LEVEL: 'info',
  });
  await Promise.all([fixture.startWorker(), fixture.startWorker()]);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
  await rm(workspace, { recursive: true, force: true });
}, 60_000);

describe('two workers sharing one workspace', () => {
  it('analyses every repository with one clone each: later stages on either worker reuse the checkout', async () => {
    await fixture.discoverAll();
    await fixture.allAnalyzed(180_000);
    // One clone per repository in all (the clone stage's), and no stage cloned again.
    const logs = fixture.workers.map((worker) => worker.stderr());
    const clones = logs.reduce((n, log) => n + log.split('"msg":"cloned"').length - 1, 0);
    expect(clones).toBe(REPOSITORIES);
    for (const log of logs) expect(log).not.toContain('cloned for ensure');
    expect(await readdir(join(workspace, 'repos'))).toHaveLength(REPOSITORIES);
  }, 240_000);
});
