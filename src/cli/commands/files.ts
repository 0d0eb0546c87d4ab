/**
 * `repolens files <repository_url>`: the stored file manifest of a repository (newest commit, or
 * `--commit`): included files by rank, or with `--excluded` the excluded ones with their reason
 * and rule. The manifest store comes in from the composition root (`openManifestStore`).
 */
import type { Command } from 'commander';
import { RepolensError } from '../../domain/errors.js';
import type { Config } from '../../config/schema.js';
import type { ManifestStore } from '../../ports/manifest-store.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson, shorten } from '../io.js';
import { manifestJson, printManifestSummary } from './select.js';

interface FilesFlags {
  readonly json?: boolean;
  readonly excluded?: boolean;
  readonly commit?: string;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
}

export type OpenManifestStore = (config: Config) => Promise<{ store: ManifestStore; close(): Promise<void> }>;

export function registerFilesCommand(program: Command, deps: CliDeps, openManifestStore: OpenManifestStore): void {
  program
    .command('files')
    .description('show the stored file selection of a repository: included files by rank, or --excluded with reasons')
    .argument('<repository_url>', 'repository to show')
    .option('--excluded', 'show the excluded files with reason and rule instead')
    .option('--commit <sha>', 'this commit instead of the newest')
    .option('--json', 'print JSON')
    .option('--database-url <url>', 'PostgreSQL of a distributed installation (env DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of embedded mode (env REPOLENS_DATA_DIR, default .repolens)')
    .action(async (url: string, options: FilesFlags) => {
      const config = deps.resolveConfig({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
      const opened = await openManifestStore(config);
      try {
        const manifest = await opened.store.get(url, options.commit);
        if (manifest === undefined) {
          throw new RepolensError(
            'REPOLENS_NOT_FOUND',
            `no file manifest stored for ${url}${options.commit === undefined ? '' : ` at ${options.commit}`}`,
          );
        }
        const wanted = manifest.files.filter((file) => file.included !== (options.excluded === true));
        if (options.json === true) {
          printJson(deps.io, manifestJson(manifest, wanted));
          return;
        }
        deps.io.out(`${manifest.repositoryUrl} at ${manifest.commit}\n`);
        printManifestSummary(deps.io, manifest);
        deps.io.out('\n');
        if (options.excluded === true) {
          deps.io.out(
            formatTable(
              ['PATH', 'REASON', 'RULE'],
              wanted.map((file) => [shorten(file.path, 80), file.reason, shorten(file.rule, 60)]),
            ),
          );
        } else {
          const byRank = [...wanted].sort((a, b) => (b.rank ?? 0) - (a.rank ?? 0) || (a.path < b.path ? -1 : 1));
          deps.io.out(
            formatTable(
              ['PATH', 'RANK', 'LANGUAGE', 'TOKENS'],
              byRank.map((file) => [
                shorten(file.path, 80),
                String(file.rank ?? ''),
                file.language ?? '',
                String(file.tokens ?? ''),
              ]),
            ),
          );
        }
      } finally {
        await opened.close();
      }
    });
}
