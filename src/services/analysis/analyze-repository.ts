/**
 * The Project Analysis: builds the versioned report (src/contracts/report.ts) for one checkout
 * at one commit from the File Selection manifest, the commit history and the files themselves.
 * Pure with respect to its input: the same checkout, manifest, history and `analyzedAt` give the
 * same report, so a redelivered task stores the same document (DESIGN.md §1, idempotence) — except
 * the summary's text when an LLM writes it (`llmSummary`): the report is still upserted by
 * repository and commit, so a redelivery replaces it, never duplicates it.
 */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { REPORT_VERSION, ReportSchema, type Report } from '../../contracts/report.js';
import type { CommitRecord } from '../../ports/git.js';
import type { Manifest } from '../../ports/manifest-store.js';
import { buildActivity, churnByPath } from './activity.js';
import { createCheckoutReader } from './checkout-reader.js';
import { buildComplexity } from './complexity.js';
import { buildComposition } from './composition.js';
import { buildCoverage } from './coverage.js';
import { buildDependencies, collectManifests } from './dependencies/collect.js';
import { diffReports } from './diff-reports.js';
import { measureFiles } from './file-metrics.js';
import { detectLicense } from './license/detect.js';
import { buildSecurity } from './security.js';
import { buildSize } from './size.js';
import { buildStructure } from './structure.js';
import { writeLlmSummary, type LlmSummaryDeps } from './llm-summary/index.js';
import { buildSummary } from './summary.js';

export interface AnalyzeInput {
  readonly repositoryUrl: string;
  readonly defaultBranch: string;
  readonly commit: string;
  readonly analyzedAt: Date;
  readonly repolensVersion: string;
  /** The checkout's working tree at `commit`. */
  readonly root: string;
  readonly manifest: Manifest;
  /** Newest first. */
  readonly history: readonly CommitRecord[];
  /** The repository's previous report, for `changes_since_previous`. */
  readonly previous?: Report;
  /** Stages of this run that failed before the analysis (reported in coverage). */
  readonly failedStages?: readonly string[];
  /** With these, a model writes the summary from RAG context; the deterministic one is the fallback. */
  readonly llmSummary?: LlmSummaryDeps;
  readonly signal?: AbortSignal;
  /** 0-100, never going backwards. */
  readonly onProgress?: (percent: number) => void;
}

export const AnalysisErrorCodes = {
  /** The report built does not satisfy its own schema: a bug, never retried. */
  invalidReport: 'REPOLENS_REPORT_INVALID',
} as const;

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new RepolensError(ErrorCodes.timeout, 'analysis aborted', { cause: signal.reason, retryable: true });
  }
}

export async function analyzeRepository(input: AnalyzeInput): Promise<Report> {
  const { manifest, signal } = input;
  let reported = -1;
  const progress = (percent: number): void => {
    const rounded = Math.floor(percent);
    if (rounded > reported) {
      reported = rounded;
      input.onProgress?.(rounded);
    }
  };
  progress(0);
  const reader = createCheckoutReader(input.root);
  const files = manifest.files;

  const measured = await measureFiles(files, reader, {
    ...(signal === undefined ? {} : { signal }),
    onProgress: (fraction) => progress(fraction * 70),
  });
  checkAborted(signal);
  const manifests = await collectManifests(files, reader);
  progress(75);
  checkAborted(signal);
  const composition = buildComposition(files, measured.metrics);
  const structure = buildStructure(files, manifests);
  const dependencies = buildDependencies(manifests);
  const license = await detectLicense(files, manifests, reader);
  progress(80);
  checkAborted(signal);
  const present = new Set(files.filter((f) => !f.vendored).map((f) => f.path));
  const churn = churnByPath(input.history, present);
  const activity = buildActivity(input.history, input.analyzedAt, churn);
  const complexity = buildComplexity(measured.metrics, churn);
  const security = await buildSecurity(files, manifest.secrets, manifests, license, reader);
  progress(90);
  checkAborted(signal);
  const identity = {
    repository_url: input.repositoryUrl,
    default_branch: input.defaultBranch,
    commit: input.commit,
    analyzed_at: input.analyzedAt.toISOString(),
    repolens_version: input.repolensVersion,
  };
  const facts = { identity, composition, structure, dependencies, license, activity };
  let summary = await buildSummary(files, reader, facts);
  const fallbacks: { section: string; reason: string }[] = [];
  if (input.llmSummary !== undefined) {
    const written = await writeLlmSummary(input.llmSummary, {
      repositoryUrl: input.repositoryUrl,
      commit: input.commit,
      reader,
      facts,
      deterministic: summary,
      signal,
    });
    if ('summary' in written) summary = written.summary;
    else fallbacks.push({ section: 'summary', reason: written.fallback });
    checkAborted(signal);
  }
  progress(95);
  const warnings = manifests.flatMap((m) => {
    if (m.unreadable) return [{ path: m.path, message: 'manifest could not be read (too large, binary or unsafe)' }];
    return m.parsed?.warning === undefined ? [] : [{ path: m.path, message: m.parsed.warning }];
  });
  const withoutChanges = {
    report_version: REPORT_VERSION,
    identity,
    composition,
    structure,
    dependencies,
    license,
    activity,
    complexity,
    security,
    size: buildSize(manifest, composition.totals.code),
    summary,
    coverage: buildCoverage(
      manifest,
      measured.metrics.size,
      measured.unreadable,
      warnings,
      input.failedStages ?? [],
      fallbacks,
    ),
    changes_since_previous: null,
  } satisfies Report;
  const report: Report = {
    ...withoutChanges,
    changes_since_previous: input.previous === undefined ? null : diffReports(input.previous, withoutChanges),
  };
  const checked = ReportSchema.safeParse(report);
  if (!checked.success) {
    throw new RepolensError(
      AnalysisErrorCodes.invalidReport,
      `the analysis built an invalid report: ${checked.error.message.slice(0, 500)}`,
      {
        details: { repositoryUrl: input.repositoryUrl, commit: input.commit },
      },
    );
  }
  progress(100);
  return checked.data;
}
