/**
 * `repolens select <path>`: File Selection alone on a local directory, nothing stored. Prints
 * what would be included and why the rest is not, or (`--json`) every decision. Shares the
 * output shape with `repolens files`, which shows a stored manifest.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Manifest } from '../../ports/manifest-store.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson, shorten, type CliIo } from '../io.js';
import { positiveInteger } from '../parse.js';

interface SelectFlags {
  readonly json?: boolean;
  readonly budget?: number;
  readonly maxFileBytes?: number;
}

/** The `--json` document of `select` and `files`: every decision, and the totals. */
export function manifestJson(manifest: Manifest, files = manifest.files): unknown {
  return {
    files: files.map((file) => ({
      path: file.path,
      included: file.included,
      reason: file.reason,
      rule: file.rule,
      language: file.language,
      bytes: file.bytes,
      tokens: file.tokens,
      rank: file.rank,
    })),
    totals: {
      ...manifest.totals,
      secrets: manifest.secrets.length,
      budget: manifest.budget,
      partial: manifest.partial,
      coveragePercent: manifest.coveragePercent,
    },
  };
}

/** The human summary: counts by reason, top languages, tokens, secrets (type, path, line). */
export function printManifestSummary(io: CliIo, manifest: Manifest): void {
  const { totals } = manifest;
  io.out(
    `${totals.files} paths: ${totals.included} included (${totals.includedBytes} bytes, ${totals.includedTokens} tokens), ${totals.excluded} excluded\n`,
  );
  if (manifest.budget !== null) {
    io.out(
      `budget ${manifest.budget} tokens: ${manifest.partial ? 'partial' : 'complete'}, coverage ${manifest.coveragePercent}%\n`,
    );
  }
  const reasons = Object.entries(totals.byReason).sort((a, b) => b[1] - a[1]);
  io.out(
    `\n${formatTable(
      ['REASON', 'PATHS'],
      reasons.map(([reason, count]) => [reason, String(count)]),
    )}`,
  );
  const languages = new Map<string, { files: number; tokens: number }>();
  for (const file of manifest.files) {
    if (!file.included) continue;
    const entry = languages.get(file.language ?? '(unknown)') ?? { files: 0, tokens: 0 };
    entry.files += 1;
    entry.tokens += file.tokens ?? 0;
    languages.set(file.language ?? '(unknown)', entry);
  }
  const top = [...languages].sort((a, b) => b[1].tokens - a[1].tokens || a[0].localeCompare(b[0])).slice(0, 10);
  io.out(
    `\n${formatTable(
      ['LANGUAGE', 'FILES', 'TOKENS'],
      top.map(([name, v]) => [name, String(v.files), String(v.tokens)]),
    )}`,
  );
  if (manifest.secrets.length > 0) {
    io.out(
      `\nsecrets found (files excluded):\n${formatTable(
        ['TYPE', 'PATH', 'LINE'],
        manifest.secrets.map((secret) => [secret.type, shorten(secret.path, 80), String(secret.line)]),
      )}`,
    );
  }
}

export function registerSelectCommand(program: Command, deps: CliDeps): void {
  program
    .command('select')
    .description('run file selection on a local directory and show what would be read (nothing is stored)')
    .argument('<path>', 'directory to select files from')
    .option('--json', 'print every decision as JSON')
    .option('--budget <tokens>', 'keep the best-ranked files within this many tokens', positiveInteger('--budget'))
    .option(
      '--max-file-bytes <n>',
      'files above this size are too_large (default 1 MiB)',
      positiveInteger('--max-file-bytes'),
    )
    .action(async (path: string, options: SelectFlags) => {
      // `cwd` may be absent from an older composition root: then the process's own directory.
      const root = (deps.cwd as string | undefined) === undefined ? resolve(path) : resolve(deps.cwd, path);
      // Loaded here, not at start-up: selection pulls in the tokenizer and Linguist's data.
      const { selectFiles } = await import('../../services/selection/index.js');
      const manifest = await selectFiles({
        root,
        repositoryUrl: root,
        commit: 'working-tree',
        budgetTokens: options.budget,
        maxFileBytes: options.maxFileBytes,
      });
      if (options.json === true) printJson(deps.io, manifestJson(manifest));
      else printManifestSummary(deps.io, manifest);
    });
}
