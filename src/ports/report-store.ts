/**
 * ReportStore: the Project Analysis reports (issue 8), one per repository and commit, with the
 * Markdown and HTML renderings made when the report was built (so reading one never re-renders).
 * Owned by the analysis service; stored by src/adapters/sql (table analysis_reports), the same
 * SQL on PostgreSQL and PGlite.
 *
 * The contract (test/integration/report-store.test.ts runs it on both databases):
 * - `save` is an idempotent upsert keyed by `identity.repository_url` + `identity.commit`: saving
 *   the same pair again replaces the report and its renderings, never adds a second row.
 * - `get(url)` returns the newest report (by `analyzed_at`, then by save time); `get(url, commit)`
 *   that commit's; undefined when there is none.
 * - `previous(url, beforeCommit)` returns the newest report of `url` for another commit that was
 *   analysed before `beforeCommit`'s report (or, when `beforeCommit` has none yet, the newest of
 *   another commit): the base for `changes_since_previous`.
 * - `list(url)` lists the stored reports, newest first, without their bodies.
 * - Reports read back are validated against the report schema; a row that does not match is
 *   an error (`REPOLENS_REPORT_INVALID`), never returned half-typed.
 * - A dependency failure is a `RepolensError` with code `REPOLENS_UNAVAILABLE`, retryable.
 */
import type { Report } from '../contracts/report.js';

export interface ReportRenderings {
  readonly markdown: string;
  readonly html: string;
}

export interface StoredReport extends ReportRenderings {
  readonly report: Report;
  readonly savedAt: Date;
}

export interface ReportListEntry {
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly analyzedAt: Date;
  readonly reportVersion: number;
  readonly savedAt: Date;
  /** The security score, for listings that show a trend. */
  readonly securityScore: number | null;
}

export interface ReportStore {
  save(report: Report, renderings: ReportRenderings): Promise<void>;
  get(repositoryUrl: string, commit?: string): Promise<StoredReport | undefined>;
  previous(repositoryUrl: string, beforeCommit: string): Promise<Report | undefined>;
  list(repositoryUrl: string): Promise<readonly ReportListEntry[]>;
}
