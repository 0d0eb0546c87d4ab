/**
 * `repolens analyze <url|path>...`: the whole pipeline in this process — in-process bus, PGlite
 * in the data directory (or PostgreSQL when a database URL is configured) and every service —
 * with live progress, then each report written as JSON, Markdown and HTML. A repository left
 * unfinished by an earlier, interrupted run resumes from its last completed stage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, RepolensError, isRepolensError } from '../../domain/errors.js';
import { normalizeRepositoryUrl } from '../../domain/repository-url.js';
import { trackRepositories, type TrackedRepository } from '../../runtime/repository-tracker.js';
import type { ServiceEnvironment } from '../../runtime/services.js';
import { startRepository } from '../../runtime/start-repository.js';
import type { CliDeps } from '../deps.js';
import { printJson } from '../io.js';
import { positiveInteger } from '../parse.js';
import { createProgressView } from '../progress-view.js';
import { reportFileStem } from './report-files.js';

interface AnalyzeFlags {
  readonly json?: boolean;
  readonly out?: string;
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly verbose?: boolean;
  readonly logLevel?: string;
  readonly priority: number;
}

export interface AnalyzedRepository {
  readonly repository_url: string;
  readonly status: 'analyzed' | 'failed';
  readonly commit: string | null;
  readonly reports: { readonly json: string; readonly md: string; readonly html: string } | null;
  readonly error: string | null;
}

async function writeReports(
  env: ServiceEnvironment,
  outDir: string,
  url: string,
  commit: string | undefined,
): Promise<AnalyzedRepository['reports']> {
  const stored = await env.reports.get(url, commit);
  if (stored === undefined) return null;
  await mkdir(outDir, { recursive: true });
  const stem = join(outDir, reportFileStem(url));
  const paths = { json: `${stem}.json`, md: `${stem}.md`, html: `${stem}.html` };
  await writeFile(paths.json, `${JSON.stringify(stored.report, null, 2)}\n`);
  await writeFile(paths.md, stored.markdown);
  await writeFile(paths.html, stored.html);
  return paths;
}

/** The status store is written by the Database Service a moment after the bus saw the message. */
async function storeCaughtUp(env: ServiceEnvironment, states: ReadonlyMap<string, TrackedRepository>): Promise<void> {
  const deadline = env.clock.now() + 10_000;
  for (const [url, state] of states) {
    const want = Date.parse(state.message.timestamp);
    for (;;) {
      const row = await env.store.getRepository(url, { historyLimit: 0 });
      if (row !== undefined && row.updatedAt.getTime() >= want) break;
      if (env.clock.now() > deadline) return;
      await env.clock.sleep(50);
    }
  }
}

export function registerAnalyzeCommand(program: Command, deps: CliDeps): void {
  const { io } = deps;
  program
    .command('analyze')
    .description('analyse repositories (URLs or local paths) in this process and write their reports')
    .argument('<repositories...>', 'repository URLs or paths of local git repositories')
    .option('--json', 'print a JSON summary instead of text')
    .option('--out <dir>', 'write reports here (default <data dir>/reports)')
    .option('--data-dir <dir>', 'data directory: database, workspace, reports (env REPOLENS_DATA_DIR)')
    .option('--database-url <url>', 'use this PostgreSQL instead of the embedded database (env DATABASE_URL)')
    .option('--priority <n>', 'priority 1-5 of the discovery messages', positiveInteger('--priority'), 3)
    .option('--verbose', 'print every status message')
    .option('--log-level <level>', 'log level on stderr (default warn; env REPOLENS_LOG_LEVEL is ignored here)')
    .action(async (inputs: string[], flags: AnalyzeFlags) => {
      const shutdown = deps.shutdownSignal();
      if (flags.priority > 5) throw new RepolensError(ErrorCodes.inputInvalid, '--priority must be 1-5');
      const config = deps.resolveConfig({
        dataDir: flags.dataDir,
        databaseUrl: flags.databaseUrl,
        brokers: [],
        // Log lines would tear the live progress view; warnings and errors still show.
        logLevel: flags.logLevel ?? (flags.verbose === true ? 'info' : 'warn'),
      });
      const outDir = resolve(flags.out ?? join(config.dataDir, 'reports'));

      const rejected: AnalyzedRepository[] = [];
      const urls: string[] = [];
      for (const input of inputs) {
        try {
          const { url } = normalizeRepositoryUrl(input, { allowLocal: true, cwd: deps.cwd });
          if (!urls.includes(url)) urls.push(url);
        } catch (error) {
          if (!isRepolensError(error)) throw error;
          rejected.push({ repository_url: input, status: 'failed', commit: null, reports: null, error: error.message });
        }
      }

      const view = createProgressView({
        live: flags.json === true ? undefined : deps.liveOutput(),
        write: io.err,
        verbose: flags.verbose === true,
        urls,
      });
      for (const entry of rejected) view.note(`${entry.repository_url}: ${entry.error ?? ''}`);

      const results: AnalyzedRepository[] = [...rejected];
      if (urls.length > 0) {
        const env = await deps.openEnvironment(config, { mode: 'embedded', allowLocal: true });
        try {
          // Loaded here, not at start-up: the stages pull in the tokenizer, grammars and license texts.
          const { startServices } = await import('../../runtime/services.js');
          const pipeline = await startServices(env, config);
          const tracker = await trackRepositories({
            bus: env.bus,
            urls,
            groupId: 'repolens-analyze-progress',
            onUpdate: (state) => view.update(state),
          });
          try {
            for (const url of urls) {
              await startRepository({
                bus: env.bus,
                store: env.store,
                clock: env.clock,
                url,
                priority: flags.priority,
                source: 'manual',
              });
            }
            const interrupted = new Promise<never>((_, reject) => {
              const stop = (): void =>
                reject(
                  new RepolensError(
                    'REPOLENS_INTERRUPTED',
                    'interrupted: unfinished repositories resume on the next run',
                  ),
                );
              if (shutdown.aborted) stop();
              shutdown.addEventListener('abort', stop, { once: true });
            });
            const failedHost = pipeline.done.then(() => {
              throw new RepolensError(ErrorCodes.internal, 'a service stopped unexpectedly');
            });
            const states = await Promise.race([tracker.finished, interrupted, failedHost]);
            view.stop();
            await storeCaughtUp(env, states);
            for (const url of urls) {
              const state = states.get(url);
              const failed = state === undefined || state.failed;
              results.push({
                repository_url: url,
                status: failed ? 'failed' : 'analyzed',
                commit: state?.commit ?? null,
                reports: failed ? null : await writeReports(env, outDir, url, state.commit),
                error: failed ? (state?.message.details.error ?? 'not finished') : null,
              });
            }
          } finally {
            view.stop();
            await tracker.close();
            await pipeline.close(config.shutdownGraceMs);
          }
        } finally {
          await env.close();
        }
      }

      if (flags.json === true) {
        printJson(io, { repositories: results });
      } else {
        for (const result of results) {
          if (result.status === 'analyzed' && result.reports !== null) {
            io.out(`${result.repository_url} analysed at ${result.commit?.slice(0, 12) ?? '?'}\n`);
            io.out(`  ${result.reports.md}\n  ${result.reports.html}\n  ${result.reports.json}\n`);
          } else {
            io.out(`${result.repository_url} FAILED: ${result.error ?? 'unknown error'}\n`);
          }
        }
      }
      const failures = results.filter((result) => result.status !== 'analyzed' || result.reports === null).length;
      if (failures > 0) {
        throw new RepolensError(
          'REPOLENS_ANALYSIS_FAILED',
          `${failures} of ${results.length} repositories were not analysed`,
        );
      }
    });
}
