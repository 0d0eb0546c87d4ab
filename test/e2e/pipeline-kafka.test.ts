/**
 * The whole seed on real parts (issue 9): the 3-node cluster, PostgreSQL and two `repolens
 * worker` processes; 20 repositories served by `git daemon` are discovered and all reach
 * `analyzed`. For each: the `repository.status` messages validate and never go back a stage, end
 * at `analyzed` 100 with a stage_duration; the tasks journal has `in_progress` and `completed` for
 * every stage with one task id each; the report is in the store once, and its chunks once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskTypes } from '../../src/contracts/task-message.js';
import { createPipelineFixture, stageIndex, type PipelineFixture } from '../support/pipeline-fixture.js';

const REPOSITORIES = 20;
let fixture: PipelineFixture;

beforeAll(async () => {
  fixture = await createPipelineFixture(REPOSITORIES);
  await Promise.all([fixture.startWorker(), fixture.startWorker()]);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
}, 60_000);

describe('the pipeline on Kafka with two workers', () => {
  it('takes 20 discovered repositories to analyzed, with the seed messages in order', async () => {
    await fixture.discoverAll();
    await fixture.allAnalyzed(240_000);

    const statuses = await fixture.statusMessages();
    const tasks = await fixture.taskMessages();
    for (const url of fixture.urls) {
      const messages = statuses.get(url) ?? [];
      const stages = messages.map((m) => stageIndex(m.status));
      expect(stages, url).toEqual([...stages].sort((a, b) => a - b));
      expect(new Set(messages.map((m) => m.status)), url).toEqual(
        new Set(['cloning', 'file_selection', 'rag_loaded', 'analyzed']),
      );
      const last = messages.at(-1);
      expect(last).toMatchObject({ status: 'analyzed', details: { progress: 100 } });
      for (const finished of messages.filter((m) => m.details.progress === 100)) {
        expect(finished.details.stage_duration, url).toBeGreaterThanOrEqual(0);
      }
      const journal = tasks.get(url) ?? [];
      for (const taskType of TaskTypes) {
        const ofType = journal.filter((t) => t.task_type === taskType);
        const completed = ofType.filter((t) => t.status === 'completed');
        expect(completed.length, `${url} ${taskType} completed`).toBeGreaterThanOrEqual(1);
        const inProgress = ofType.filter((t) => t.status === 'in_progress');
        expect(
          inProgress.map((t) => t.task_id),
          `${url} ${taskType}`,
        ).toContain(completed[0]?.task_id);
        expect(ofType.some((t) => t.status === 'failed')).toBe(false);
      }
    }

    const pool = fixture.schema.pool();
    const reports = await pool.query<{ repository_url: string; n: number }>(
      'SELECT repository_url, count(*)::int AS n FROM analysis_reports GROUP BY repository_url',
    );
    expect(reports.rows).toHaveLength(REPOSITORIES);
    expect(reports.rows.every((row) => row.n === 1)).toBe(true);
    const chunks = await pool.query<{ repository_url: string; total: number; distinct_ranges: number }>(
      `SELECT f.repository_url, count(*)::int AS total,
              count(DISTINCT (f.path, c.start_line, c.end_line))::int AS distinct_ranges
         FROM rag_repositories r
         JOIN rag_generation_files gf ON gf.generation_id = r.generation_id
         JOIN rag_files f ON f.id = gf.file_id
         JOIN rag_chunks c ON c.file_id = f.id
        GROUP BY f.repository_url`,
    );
    expect(chunks.rows).toHaveLength(REPOSITORIES);
    for (const row of chunks.rows) {
      expect(row.total, row.repository_url).toBeGreaterThan(0);
      expect(row.distinct_ranges, row.repository_url).toBe(row.total);
    }
    const report = await pool.query<{ report: { identity: { commit: string } } }>(
      'SELECT report FROM analysis_reports WHERE repository_url = $1',
      [fixture.urls[0]],
    );
    expect(report.rows[0]?.report.identity.commit).toBe(fixture.repos[0]?.commits.at(-1));
  }, 300_000);
});
