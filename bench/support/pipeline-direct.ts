/**
 * The direct side of bench:pipeline: the pipeline's stage functions (clone, select, load RAG,
 * analyse) called in one process on PostgreSQL, without a bus, status messages or task journal.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { openEnvironment } from '../../src/composition/open-environment.js';
import { buildStages } from '../../src/runtime/services.js';
import type { StageJob } from '../../src/services/stage/stage-job.js';
import { createTestSchema } from '../../test/support/postgres.js';

export interface DirectRunner {
  /** Runs `urls` through every stage, `concurrency` repositories at once; pushes each stage's time into `work[stage]`. */
  run(urls: readonly string[], work: number[][]): Promise<void>;
  readonly stageCount: number;
  close(): Promise<void>;
}

export async function openDirectRunner(scratch: string, concurrency: number): Promise<DirectRunner> {
  const schema = await createTestSchema('bench_direct');
  const config = loadConfig({
    flags: {
      databaseUrl: schema.url,
      workspaceDir: join(scratch, 'direct-workspace'),
      dataDir: join(scratch, 'direct-data'),
      gitProtocols: ['git'],
    },
  });
  const env = await openEnvironment(
    config,
    { mode: 'embedded', allowLocal: false },
    {
      version: 'bench',
      logger: pino({ level: 'warn' }, pino.destination(2)),
      connectKafka: () => Promise.reject(new Error('not used')),
    },
  );
  const { cloning, taskStages } = buildStages(env, config);
  const stages = [cloning, ...taskStages].filter((stage) => stage !== undefined);
  const signal = new AbortController().signal;

  const runOne = async (url: string, work: number[][]): Promise<void> => {
    let job: StageJob = {
      repositoryUrl: url,
      priority: 3,
      commit: undefined,
      defaultBranch: undefined,
      runId: url,
      forced: false,
    };
    for (const [i, stage] of stages.entries()) {
      const started = performance.now();
      const outcome = await stage.run(job, { signal, progress: () => undefined });
      work[i]?.push(performance.now() - started);
      job = {
        ...job,
        commit: outcome?.commit ?? job.commit,
        defaultBranch: outcome?.defaultBranch ?? job.defaultBranch,
      };
    }
  };

  return {
    stageCount: stages.length,
    run: async (urls, work) => {
      const queue = [...urls];
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let url = queue.shift(); url !== undefined; url = queue.shift()) await runOne(url, work);
        }),
      );
    },
    close: async () => {
      await env.close();
      await schema.drop();
    },
  };
}
