/**
 * bench/selection: repolens File Selection against repomix on the same repositories, in one run.
 * Both do the same work: walk the tree with .gitignore and default ignore rules, skip binaries,
 * scan for secrets (repomix's security check on), count o200k tokens of what they keep; repomix
 * also writes its packed output (to a temp file), which is its product. Both run in this process
 * (repomix through its library `runCli`, which uses its worker pool as the CLI does), so neither
 * pays a process start. The repositories are copies of packages in node_modules, each made a git
 * repository, of varied size. Prints each iteration, the median ratio, and where the two
 * selections differ (paths only one side included, with repolens' reason).
 *
 *   npm run bench:selection
 *   BENCH_ITERATIONS=5 BENCH_PACKAGES=zod,pino npm run bench:selection
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from 'repomix';
import type { Manifest } from '../src/ports/manifest-store.js';
import { selectFiles } from '../src/services/selection/index.js';
import { summarize } from './support/stats.js';

const PACKAGES = (process.env['BENCH_PACKAGES'] ?? 'commander,pino,fastify,@platformatic/kafka,zod').split(',');
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 3);
const log = (message: string): void => void process.stderr.write(`[bench:selection] ${message}\n`);

function makeRepository(name: string, into: string): string {
  const dir = join(into, name.replace(/[@/]/g, '_'));
  cpSync(join('node_modules', name), dir, { recursive: true, dereference: false });
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-qm', 'import');
  return dir;
}

async function timeRepolens(dir: string): Promise<{ ms: number; manifest: Manifest }> {
  const started = performance.now();
  const manifest = await selectFiles({ root: dir, repositoryUrl: dir, commit: 'HEAD' });
  return { ms: performance.now() - started, manifest };
}

async function timeRepomix(dir: string, output: string): Promise<{ ms: number; included: Set<string> }> {
  const started = performance.now();
  const result = await runCli(['.'], dir, { output, quiet: true, style: 'xml' });
  const ms = performance.now() - started;
  const paths = result === undefined ? [] : result.packResult.processedFiles.map((file) => file.path);
  return { ms, included: new Set(paths) };
}

function differences(manifest: Manifest, repomix: Set<string>): string[] {
  const lines: string[] = [];
  const ours = new Map(manifest.files.map((file) => [file.path, file]));
  const onlyRepomix = [...repomix].filter((path) => ours.get(path)?.included !== true).sort();
  const onlyOurs = manifest.files.filter((file) => file.included && !repomix.has(file.path)).map((f) => f.path);
  const byReason = new Map<string, string[]>();
  for (const path of onlyRepomix) {
    const file = ours.get(path) ?? [...ours.values()].find((f) => f.path.endsWith('/') && path.startsWith(f.path));
    const key = file === undefined ? 'not listed' : `${file.reason} (${file.rule})`;
    byReason.set(key, [...(byReason.get(key) ?? []), path]);
  }
  lines.push(`    only repomix included: ${onlyRepomix.length}`);
  for (const [reason, paths] of [...byReason].sort((a, b) => b[1].length - a[1].length).slice(0, 8)) {
    lines.push(`      ${paths.length} × ${reason}: ${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}`);
  }
  lines.push(
    `    only repolens included: ${onlyOurs.length}${onlyOurs.length > 0 ? ` (${onlyOurs.slice(0, 5).join(', ')})` : ''}`,
  );
  return lines;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'repolens-bench-selection-'));
  try {
    const repositories = PACKAGES.map((name) => ({ name, dir: makeRepository(name, work) }));
    log(`${repositories.length} repositories, ${ITERATIONS} iterations each (first one also warms both up)`);
    const report: string[] = [];
    for (const { name, dir } of repositories) {
      const ours: number[] = [];
      const theirs: number[] = [];
      let last: { manifest: Manifest; repomix: Set<string> } | undefined;
      for (let iteration = 1; iteration <= ITERATIONS; iteration += 1) {
        const a = await timeRepolens(dir);
        const b = await timeRepomix(dir, join(work, 'repomix-output.xml'));
        ours.push(a.ms);
        theirs.push(b.ms);
        last = { manifest: a.manifest, repomix: b.included };
        log(
          `${name} #${iteration}: repolens ${a.ms.toFixed(0)} ms (${a.manifest.totals.included} files, ${a.manifest.totals.includedTokens} tokens), repomix ${b.ms.toFixed(0)} ms (${b.included.size} files), ratio ${(b.ms / a.ms).toFixed(2)}x`,
        );
      }
      const p50Ours = summarize(ours).p50;
      const p50Theirs = summarize(theirs).p50;
      report.push(
        `${name}: repolens p50 ${p50Ours.toFixed(0)} ms, repomix p50 ${p50Theirs.toFixed(0)} ms, repolens ${(p50Theirs / p50Ours).toFixed(2)}x faster`,
      );
      if (last !== undefined) report.push(...differences(last.manifest, last.repomix));
    }
    process.stdout.write(`${report.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
