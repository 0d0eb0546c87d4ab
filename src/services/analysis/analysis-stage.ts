/**
 * The Project Analysis Service's stage (seed: `load_rag` completed → Project Analysis): build the
 * report for the recorded commit from the checkout, the manifest and the git history, diffed
 * against the repository's previous report, and store it with its Markdown and HTML renderings
 * (an upsert by repository and commit: a redelivery never duplicates a report). On a `completed`
 * trigger a report already stored for the commit is kept; `pending` analyses again. With an LLM
 * configured, the summary is written by the model from the RAG index's chunks of the commit.
 */
import { RepolensError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Git } from '../../ports/git.js';
import type { ManifestStore } from '../../ports/manifest-store.js';
import type { ReportStore } from '../../ports/report-store.js';
import type { Store } from '../../ports/store.js';
import { resolveCommit, StageErrorCodes } from '../stage/stage-commit.js';
import type { StageDefinition } from '../stage/stage-route.js';
import { analyzeRepository } from './analyze-repository.js';
import type { LlmSummaryDeps } from './llm-summary/index.js';
import { renderHtml, renderMarkdown } from './render/index.js';

export const ANALYSIS_SERVICE = 'project-analysis';

export interface AnalysisStageDeps {
  readonly git: Git;
  readonly manifests: ManifestStore;
  readonly reports: ReportStore;
  readonly store: Pick<Store, 'getRepository'>;
  readonly clock: Clock;
  readonly repolensVersion: string;
  /** The model, index (and embedder) for an LLM-written summary; deterministic without. */
  readonly llmSummary?: LlmSummaryDeps;
}

export function analysisStage(deps: AnalysisStageDeps): StageDefinition {
  return {
    service: ANALYSIS_SERVICE,
    taskType: 'analyze',
    status: 'analyzed',
    after: 'load_rag',
    run: async (job, work) => {
      const commit = await resolveCommit(job, deps.store);
      if (!job.forced && (await deps.reports.get(job.repositoryUrl, commit)) !== undefined) return { commit };
      const manifest = await deps.manifests.get(job.repositoryUrl, commit);
      if (manifest === undefined) {
        throw new RepolensError(
          StageErrorCodes.inputMissing,
          `no file manifest for ${job.repositoryUrl} at ${commit}: run file selection again`,
        );
      }
      const checkout = await deps.git.ensure(job.repositoryUrl, commit, { signal: work.signal });
      const history = await deps.git.history(checkout, { signal: work.signal });
      const previous = await deps.reports.previous(job.repositoryUrl, commit);
      const report = await analyzeRepository({
        repositoryUrl: job.repositoryUrl,
        defaultBranch: checkout.defaultBranch,
        commit,
        analyzedAt: new Date(deps.clock.now()),
        repolensVersion: deps.repolensVersion,
        root: checkout.dir,
        manifest,
        history,
        previous,
        llmSummary: deps.llmSummary,
        signal: work.signal,
        onProgress: (percent) => work.progress(Math.min(95, percent)),
      });
      await deps.reports.save(report, { markdown: renderMarkdown(report), html: renderHtml(report) });
      return { commit, defaultBranch: checkout.defaultBranch };
    },
  };
}
