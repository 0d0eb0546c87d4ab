/**
 * File Selection (issue 6): a decision for every path of a checkout, with the rule that made it,
 * the ranks of the included files, and, under a token budget, which of them fit. The algorithm
 * and its limits are in README.md; the per-file rules in classify-file.ts; the walk in walk.ts.
 * Files are classified with bounded concurrency (I/O overlaps; tokenizing and secret scanning are
 * CPU and run one at a time on the event loop between reads). Never fails because of a file's
 * size or content: only a missing root, or an abort, rejects.
 */
import { stat } from 'node:fs/promises';
import picomatch from 'picomatch';
import { RepolensError } from '../../domain/errors.js';
import type {
  FileDecision,
  Manifest,
  SecretFinding,
  SelectionReason,
  SelectionTotals,
} from '../../ports/manifest-store.js';
import { categoryFor, classifyFile, type Classified, type SizeLimit } from './classify-file.js';
import { detectLanguage } from './languages.js';
import { applyBudget, rankOf } from './ranking.js';
import { walkTree, type DecidedEntry, type FileEntry } from './walk.js';

export const SelectionErrorCodes = {
  /** The checkout directory is missing or not a directory. */
  rootMissing: 'REPOLENS_SELECTION_ROOT_MISSING',
} as const;

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const CONCURRENCY = 16;

export interface SizeOverride {
  /** picomatch glob against the path relative to the root, e.g. `**\/*.sql` or `data/**`. */
  readonly glob: string;
  readonly maxBytes: number;
}

export interface SelectFilesInput {
  readonly root: string;
  readonly repositoryUrl: string;
  readonly commit: string;
  /** Keep the best-ranked included files within this many o200k tokens. */
  readonly budgetTokens?: number;
  /** Files above this many bytes are `too_large` (default 1 MiB). */
  readonly maxFileBytes?: number;
  /** Per-glob caps; the first matching glob wins over `maxFileBytes`. */
  readonly sizeOverrides?: readonly SizeOverride[];
  /** Commits touching each path (from Git.history): a ranking signal. */
  readonly churn?: ReadonlyMap<string, number>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (examined: number, total: number) => void;
}

function limitFor(input: SelectFilesInput): (path: string) => SizeLimit {
  const fallback: SizeLimit = {
    maxBytes: input.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    source: input.maxFileBytes === undefined ? 'default cap' : 'max file bytes',
  };
  const overrides = (input.sizeOverrides ?? []).map((override) => ({
    test: picomatch(override.glob, { dot: true }),
    limit: { maxBytes: override.maxBytes, source: `override ${override.glob}` },
  }));
  return (path) => overrides.find((override) => override.test(path))?.limit ?? fallback;
}

function decidedToDecision(entry: DecidedEntry): FileDecision {
  const isDirectory = entry.path.endsWith('/');
  const name = entry.path.slice(entry.path.lastIndexOf('/', entry.path.length - 2) + 1);
  const language = isDirectory || entry.reason === 'unreadable' ? null : detectLanguage(name);
  return {
    path: entry.path,
    included: false,
    reason: entry.reason,
    rule: entry.rule,
    language,
    category: isDirectory ? 'other' : categoryFor(entry.path, language),
    vendored: entry.vendored,
    generated: entry.generated,
    bytes: 0,
    tokens: null,
    contentHash: null,
    rank: null,
  };
}

async function classifyAll(
  files: readonly FileEntry[],
  input: SelectFilesInput,
  total: number,
  alreadyExamined: number,
): Promise<Classified[]> {
  const limit = limitFor(input);
  const results = new Array<Classified>(files.length);
  const step = Math.max(1, Math.floor(total / 100));
  let next = 0;
  let examined = alreadyExamined;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      input.signal?.throwIfAborted();
      const index = next;
      next += 1;
      const file = files[index] as FileEntry;
      results[index] = await classifyFile(file, limit(file.path));
      examined += 1;
      if (examined % step === 0) input.onProgress?.(examined, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return results;
}

function totalsOf(files: readonly FileDecision[]): SelectionTotals {
  const byReason: Partial<Record<SelectionReason, number>> = {};
  let included = 0;
  let includedBytes = 0;
  let includedTokens = 0;
  for (const file of files) {
    byReason[file.reason] = (byReason[file.reason] ?? 0) + 1;
    if (!file.included) continue;
    included += 1;
    includedBytes += file.bytes;
    includedTokens += file.tokens ?? 0;
  }
  return { files: files.length, included, excluded: files.length - included, includedBytes, includedTokens, byReason };
}

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export async function selectFiles(input: SelectFilesInput): Promise<Manifest> {
  try {
    if (!(await stat(input.root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new RepolensError(SelectionErrorCodes.rootMissing, `cannot select files: ${input.root} is not a directory`, {
      cause: error,
      // The workspace's housekeeping may have removed it between `ensure` and now: try again.
      retryable: true,
    });
  }
  const entries = await walkTree(input.root, input.signal);
  const files = entries.filter((entry): entry is FileEntry => entry.kind === 'file');
  const decided = entries.filter((entry): entry is DecidedEntry => entry.kind === 'decided');
  const total = entries.length;
  input.onProgress?.(decided.length, total);
  const classified = await classifyAll(files, input, total, decided.length);

  const secrets: SecretFinding[] = [];
  let decisions: FileDecision[] = decided.map(decidedToDecision);
  for (const { decision, findings } of classified) {
    for (const finding of findings) secrets.push({ path: decision.path, line: finding.line, type: finding.type });
    const rank = decision.included
      ? rankOf(decision.path, decision.category, input.churn?.get(decision.path) ?? 0)
      : null;
    decisions.push({ ...decision, rank });
  }

  const worthTokens = decisions.reduce((sum, file) => sum + (file.included ? (file.tokens ?? 0) : 0), 0);
  let partial = false;
  if (input.budgetTokens !== undefined) {
    const kept = applyBudget(
      decisions.flatMap((file) =>
        file.included ? [{ path: file.path, rank: file.rank ?? 0, tokens: file.tokens ?? 0 }] : [],
      ),
      input.budgetTokens,
    );
    decisions = decisions.map((file) => {
      if (!file.included || kept.has(file.path)) return file;
      partial = true;
      return { ...file, included: false, reason: 'over_budget', rule: `budget ${input.budgetTokens} tokens` };
    });
  }
  decisions.sort(byPath);
  secrets.sort((a, b) => byPath(a, b) || a.line - b.line);
  const totals = totalsOf(decisions);
  input.onProgress?.(total, total);
  return {
    repositoryUrl: input.repositoryUrl,
    commit: input.commit,
    files: decisions,
    secrets,
    totals,
    budget: input.budgetTokens ?? null,
    partial,
    coveragePercent: worthTokens === 0 ? 100 : Math.round((totals.includedTokens / worthTokens) * 10000) / 100,
  };
}
