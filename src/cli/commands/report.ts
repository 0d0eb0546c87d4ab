/**
 * `repolens report <repository_url> [--format md|json|html] [--commit <sha>] [--out <file>]`:
 * prints (or writes) a stored analysis report: the newest one, or the one of `--commit`. The
 * renderings are the ones stored with the report, so this never reads the repository again.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { RepolensError } from '../../domain/errors.js';
import type { ReportStore } from '../../ports/report-store.js';
import type { CliDeps } from '../deps.js';

export const REPORT_FORMATS = ['md', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Opens the report store of the configured database; `close` releases it. */
export type OpenReports = (config: Config) => Promise<{ readonly store: ReportStore; close(): Promise<void> }>;

interface ReportFlags {
  readonly format: ReportFormat;
  readonly commit?: string;
  readonly out?: string;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
}

function parseFormat(value: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${value}"`);
  }
  return value as ReportFormat;
}

function parseCommit(value: string): string {
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(value)) {
    throw new InvalidArgumentError(`--commit must be a full commit SHA (40 or 64 hex digits), got "${value}"`);
  }
  return value.toLowerCase();
}

export function registerReportCommand(program: Command, deps: CliDeps, openReports: OpenReports): void {
  const { io } = deps;
  program
    .command('report')
    .description("print a repository's analysis report (the newest, or the one of --commit)")
    .argument('<repository_url>', 'the repository, as repolens status lists it')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, parseFormat, 'md')
    .option('--commit <sha>', 'the report of this commit (full SHA) instead of the newest', parseCommit)
    .option('--out <file>', 'write the report to this file instead of standard output')
    .option('--database-url <url>', 'PostgreSQL of a distributed installation (env DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of embedded mode (env REPOLENS_DATA_DIR, default .repolens)')
    .action(async (url: string, options: ReportFlags) => {
      const config = deps.resolveConfig({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
      const reports = await openReports(config);
      try {
        const stored = await reports.store.get(url, options.commit);
        if (stored === undefined) {
          const which = options.commit === undefined ? '' : ` at commit ${options.commit}`;
          throw new RepolensError('REPOLENS_NOT_FOUND', `no analysis report stored for ${url}${which}`);
        }
        const text =
          options.format === 'json'
            ? `${JSON.stringify(stored.report, null, 2)}\n`
            : options.format === 'html'
              ? stored.html
              : stored.markdown;
        if (options.out === undefined) {
          io.out(text);
        } else {
          await writeFile(options.out, text);
          io.err(`wrote ${options.format} report of ${stored.report.identity.commit.slice(0, 12)} to ${options.out}\n`);
        }
      } finally {
        await reports.close();
      }
    });
}
