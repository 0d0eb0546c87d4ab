/** `repolens status [url]`: where each repository stands, from the Database Service's store. */
import { InvalidArgumentError, type Command } from 'commander';
import { RepositoryStates, type RepositoryState } from '../../ports/store.js';
import { RepolensError } from '../../domain/errors.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson, shorten } from '../io.js';
import { nonNegativeInteger, positiveInteger } from '../parse.js';

interface StatusFlags {
  readonly json?: boolean;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly status?: RepositoryState;
  readonly search?: string;
  readonly limit: number;
  readonly offset: number;
}

function parseState(value: string): RepositoryState {
  if (!(RepositoryStates as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--status must be one of ${RepositoryStates.join(', ')}, got "${value}"`);
  }
  return value as RepositoryState;
}

export function registerStatusCommand(program: Command, deps: CliDeps): void {
  const { io } = deps;
  program
    .command('status')
    .description(
      'show where repositories stand: current stage, progress, last error (one repository: runs and history)',
    )
    .argument('[repository_url]', 'show this repository in detail')
    .option('--json', 'print JSON')
    .option('--database-url <url>', 'PostgreSQL of a distributed installation (env DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of embedded mode (env REPOLENS_DATA_DIR, default .repolens)')
    .option('--status <state>', `only repositories in this state (${RepositoryStates.join(', ')})`, parseState)
    .option('--search <text>', 'only repositories whose URL contains this text')
    .option('--limit <n>', 'at most this many repositories', positiveInteger('--limit'), 50)
    .option('--offset <n>', 'skip this many repositories', nonNegativeInteger('--offset'), 0)
    .action(async (url: string | undefined, options: StatusFlags) => {
      const config = deps.resolveConfig({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
      const store = await deps.openStore(config);
      try {
        if (url !== undefined) {
          const detail = await store.getRepository(url);
          if (detail === undefined) throw new RepolensError('REPOLENS_NOT_FOUND', `no status recorded for ${url}`);
          if (options.json === true) {
            printJson(io, detail);
            return;
          }
          io.out(
            `${detail.url}\n  state ${detail.state} (${detail.status} ${detail.progress}%), run ${detail.runNumber}, updated ${detail.updatedAt.toISOString()}\n`,
          );
          if (detail.lastError !== null) io.out(`  last error: ${detail.lastError}\n`);
          io.out(
            formatTable(
              ['RUN', 'OUTCOME', 'STARTED', 'COMMIT', 'STAGE DURATIONS (ms)'],
              detail.runs.map((run) => [
                String(run.runNumber),
                run.outcome,
                run.startedAt.toISOString(),
                (run.commit ?? '').slice(0, 12),
                Object.entries(run.stageDurationsMs)
                  .map(([stage, ms]) => `${stage}=${ms}`)
                  .join(' '),
              ]),
            ),
          );
          return;
        }
        const page = await store.listRepositories({
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.search === undefined ? {} : { search: options.search }),
          limit: options.limit,
          offset: options.offset,
        });
        if (options.json === true) {
          printJson(io, {
            total: page.total,
            counts: await store.countByStatus(),
            stageDurations: await store.stageDurationPercentiles(),
            repositories: page.rows,
          });
          return;
        }
        if (page.total === 0) {
          io.out('no repositories recorded yet\n');
          return;
        }
        io.out(
          formatTable(
            ['REPOSITORY', 'STATE', 'PROGRESS', 'UPDATED', 'LAST ERROR'],
            page.rows.map((row) => [
              row.url,
              row.state,
              `${row.progress}%`,
              row.updatedAt.toISOString(),
              shorten(row.lastError, 60),
            ]),
          ),
        );
        io.out(`${page.rows.length} of ${page.total} repositories\n`);
        const durations = await store.stageDurationPercentiles();
        if (durations.length > 0) {
          io.out('\nstage durations over all runs:\n');
          io.out(
            formatTable(
              ['STAGE', 'COUNT', 'P50 (ms)', 'P95 (ms)', 'MAX (ms)'],
              durations.map((d) => [d.stage, String(d.count), String(d.p50Ms), String(d.p95Ms), String(d.maxMs)]),
            ),
          );
        }
      } finally {
        await store.close();
      }
    });
}
