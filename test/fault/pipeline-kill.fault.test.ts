/**
 * The pipeline survives crashes (issue 9): with 20 repositories in flight on two workers, a
 * worker killed with SIGKILL, and (separately) a broker killed with SIGKILL, leave every
 * repository `analyzed`, with exactly one report and no duplicated chunk each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaFaultsAvailable, killBroker, restartBroker } from '../support/kafka.js';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture.js';
import { eventually } from '../support/wait.js';

const REPOSITORIES = 20;
let fixture: PipelineFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
}, 60_000);

/** Each repository has one report and its current index generation has no chunk twice. */
async function expectNoDuplicates(f: PipelineFixture): Promise<void> {
  const pool = f.schema.pool();
  const reports = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM analysis_reports');
  expect(reports.rows[0]?.n).toBe(REPOSITORIES);
  const chunks = await pool.query<{ total: number; distinct_ranges: number; repositories: number }>(
    `SELECT count(*)::int AS total,
            count(DISTINCT (f.repository_url, f.path, c.start_line, c.end_line))::int AS distinct_ranges,
            count(DISTINCT f.repository_url)::int AS repositories
       FROM rag_repositories r
       JOIN rag_generation_files gf ON gf.generation_id = r.generation_id
       JOIN rag_files f ON f.id = gf.file_id
       JOIN rag_chunks c ON c.file_id = f.id`,
  );
  expect(chunks.rows[0]?.repositories).toBe(REPOSITORIES);
  expect(chunks.rows[0]?.distinct_ranges).toBe(chunks.rows[0]?.total);
}

/** Waits until some repositories are past cloning but not all are analyzed: mid-run. */
async function midRun(f: PipelineFixture): Promise<void> {
  await eventually(
    'the pipeline to be mid-run',
    async () => {
      const states = [...(await f.states()).values()];
      return (
        states.some((s) => s.status !== 'cloning') &&
        states.filter((s) => s.status === 'analyzed').length < REPOSITORIES
      );
    },
    120_000,
    100,
  );
}

describe.runIf(kafkaFaultsAvailable())('pipeline faults', () => {
  it('a worker killed with SIGKILL mid-run: the other finishes every repository, nothing duplicated', async () => {
    fixture = await createPipelineFixture(REPOSITORIES);
    const [victim] = await Promise.all([fixture.startWorker(), fixture.startWorker()]);
    await fixture.discoverAll();
    await midRun(fixture);
    await victim?.kill();
    await fixture.allAnalyzed(300_000);
    await expectNoDuplicates(fixture);
  }, 420_000);

  it('a broker killed with SIGKILL mid-run: every repository is analyzed, nothing duplicated', async () => {
    fixture = await createPipelineFixture(REPOSITORIES);
    await Promise.all([fixture.startWorker(), fixture.startWorker()]);
    await fixture.discoverAll();
    await midRun(fixture);
    await killBroker(2);
    try {
      await fixture.allAnalyzed(300_000);
    } finally {
      await restartBroker(2);
    }
    await expectNoDuplicates(fixture);
  }, 420_000);
});
