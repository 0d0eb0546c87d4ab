/**
 * The direct side of bench:pipeline: the pipeline's stage functions (clone, select, load RAG,
 * analyse) called in one process on PostgreSQL, without a bus, status messages or task journal.
 * The bench runs it in a process of its own (direct-process.ts), fresh for every run.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

export interface DirectProcess extends DirectRunner {
  readonly pid: number;
}

type Reply = { readonly stageCount: number } | { readonly work: number[][] } | { readonly error: string };

/** Starts direct-process.ts and resolves once its runner is open. */
export async function startDirectProcess(scratch: string, concurrency: number): Promise<DirectProcess> {
  const child = fork(fileURLToPath(new URL('./direct-process.ts', import.meta.url)), [scratch, String(concurrency)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = (): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: Reply): void => {
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null): void => {
        child.off('message', onMessage);
        reject(new Error(`the direct process exited with ${code}`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await reply();
  if (!('stageCount' in ready) || child.pid === undefined) throw new Error('the direct process did not start');
  return {
    pid: child.pid,
    stageCount: ready.stageCount,
    run: async (urls, work) => {
      const answered = reply();
      child.send({ urls });
      const message = await answered;
      if ('error' in message) throw new Error(`the direct mode failed: ${message.error}`);
      if ('work' in message) message.work.forEach((times, stage) => work[stage]?.push(...times));
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}
