/**
 * bench/analysis: line counting of whole repositories by repolens (walk + read + language by file
 * name + countLines, in-process) against cloc (the whole `cloc --json <dir>` process, as a user runs
 * it), on the same five repositories in one run, several iterations each. Prints every time, the
 * medians and the ratio. The repositories are copies in a temp dir: four npm packages from
 * node_modules and this project at HEAD (git archive), so both tools see identical trees.
 *
 *   npm run bench:analysis
 *   BENCH_ITERATIONS=5 npm run bench:analysis
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countLines, languageForPath } from '../src/services/analysis/counting/index.js';
import { percentile } from './support/stats.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 3);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['zod', 'fastify', 'pino', 'yaml'];
const log = (message: string): void => void process.stderr.write(`[bench:analysis] ${message}\n`);

interface Totals {
  files: number;
  code: number;
  comment: number;
  blank: number;
}

/** What repolens does per repository: walk, read, pick the language by name, count. */
function repolensCount(dir: string): Totals {
  const totals: Totals = { files: 0, code: 0, comment: 0, blank: 0 };
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const language = languageForPath(entry.name);
      if (language === undefined) continue;
      const counts = countLines(readFileSync(path, 'utf8'), language);
      totals.files++;
      totals.code += counts.code;
      totals.comment += counts.comment;
      totals.blank += counts.blank;
    }
  };
  walk(dir);
  return totals;
}

function clocCount(dir: string): Totals {
  const result = spawnSync('cloc', ['--json', '--quiet', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`cloc exited with ${result.status}: ${result.stderr}`);
  const sum = (JSON.parse(result.stdout) as { SUM: { nFiles: number; code: number; comment: number; blank: number } })
    .SUM;
  return { files: sum.nFiles, code: sum.code, comment: sum.comment, blank: sum.blank };
}

function timed<T>(work: () => T): { ms: number; result: T } {
  const started = process.hrtime.bigint();
  const result = work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

function prepare(): { dir: string; repositories: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'repolens-bench-analysis-'));
  for (const name of PACKAGES) cpSync(join(ROOT, 'node_modules', name), join(dir, name), { recursive: true });
  const tar = join(dir, 'repolens.tar');
  execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', '-o', tar, 'HEAD']);
  mkdirSync(join(dir, 'repolens'));
  execFileSync('tar', ['-xf', tar, '-C', join(dir, 'repolens')]);
  rmSync(tar);
  // The Kafka distribution's jars are binaries neither tool counts; they only slow the copy.
  rmSync(join(dir, 'repolens', 'infra', 'kafka', 'libs'), { recursive: true, force: true });
  return { dir, repositories: [...PACKAGES, 'repolens'] };
}

const format = (ms: number): string => `${ms.toFixed(0)} ms`;
const median = (samples: number[]): number =>
  percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );

function main(): void {
  execFileSync('cloc', ['--version'], { stdio: 'ignore' });
  const { dir, repositories } = prepare();
  log(`${repositories.length} repositories in ${dir}, ${ITERATIONS} iterations each`);
  let repolensTotal = 0;
  let clocTotal = 0;
  try {
    const rows: string[] = [];
    for (const name of repositories) {
      const path = join(dir, name);
      const ours: number[] = [];
      const theirs: number[] = [];
      let ourTotals: Totals | undefined;
      let theirTotals: Totals | undefined;
      for (let i = 0; i < ITERATIONS; i++) {
        const repolens = timed(() => repolensCount(path));
        const cloc = timed(() => clocCount(path));
        ours.push(repolens.ms);
        theirs.push(cloc.ms);
        ourTotals = repolens.result;
        theirTotals = cloc.result;
        log(`${name} #${i + 1}: repolens ${format(repolens.ms)}, cloc ${format(cloc.ms)}`);
      }
      const ourMedian = median(ours);
      const theirMedian = median(theirs);
      repolensTotal += ourMedian;
      clocTotal += theirMedian;
      const lines = (t: Totals | undefined): string => (t ? `${t.files} files, ${t.code} code` : '-');
      rows.push(
        `${name.padEnd(10)} repolens ${format(ourMedian).padStart(8)}  cloc ${format(theirMedian).padStart(8)}  ` +
          `cloc/repolens ${(theirMedian / ourMedian).toFixed(1)}x   (repolens ${lines(ourTotals)}; cloc ${lines(theirTotals)})`,
      );
    }
    console.log(`\nline counting, median of ${ITERATIONS} (walk + read + count; cloc as a whole process):`);
    for (const row of rows) console.log(`  ${row}`);
    console.log(
      `  ${'all'.padEnd(10)} repolens ${format(repolensTotal).padStart(8)}  cloc ${format(clocTotal).padStart(8)}  ` +
        `cloc/repolens ${(clocTotal / repolensTotal).toFixed(1)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
