/**
 * The ReportStore port (src/ports/report-store.ts) on the shared SQL: table analysis_reports
 * (migration 0005). Newest means latest `analyzed_at`, then latest save, then commit: a total
 * order, so `get(url)` and `previous` are deterministic even for reports analysed in the same
 * millisecond. Reads are validated against the report schema.
 */
import { RepolensError } from '../../domain/errors.js';
import { ReportSchema, type Report } from '../../contracts/report.js';
import type { ReportListEntry, ReportStore, StoredReport } from '../../ports/report-store.js';
import type { SqlExecutor } from './sql-executor.js';

export const ReportStoreErrorCodes = {
  /** A stored report does not match the report schema (written by another version, or edited). */
  invalid: 'REPOLENS_REPORT_INVALID',
} as const;

const NEWEST = 'ORDER BY analyzed_at DESC, saved_at DESC, commit_sha DESC';

interface ReportRow {
  report: unknown;
  markdown: string;
  html: string;
  saved_at: Date;
}

interface ListRow {
  repository_url: string;
  commit_sha: string;
  analyzed_at: Date;
  report_version: number;
  saved_at: Date;
  security_score: number | null;
}

function parseReport(value: unknown, where: string): Report {
  // node-postgres and PGlite both parse jsonb; a string means a driver configured otherwise.
  const json: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new RepolensError(
      ReportStoreErrorCodes.invalid,
      `the stored report ${where} is invalid: ${parsed.error.message.slice(0, 300)}`,
    );
  }
  return parsed.data;
}

function toStored(row: ReportRow, where: string): StoredReport {
  return {
    report: parseReport(row.report, where),
    markdown: row.markdown,
    html: row.html,
    savedAt: new Date(row.saved_at),
  };
}

export function createSqlReportStore(executor: SqlExecutor): ReportStore {
  return {
    async save(report, renderings) {
      const checked = ReportSchema.parse(report);
      await executor.query(
        `INSERT INTO analysis_reports
           (repository_url, commit_sha, report_version, analyzed_at, security_score, report, markdown, html, saved_at)
         VALUES ($1, $2, $3, $4::timestamptz, $5, $6::jsonb, $7, $8, clock_timestamp())
         ON CONFLICT (repository_url, commit_sha) DO UPDATE SET
           report_version = EXCLUDED.report_version,
           analyzed_at = EXCLUDED.analyzed_at,
           security_score = EXCLUDED.security_score,
           report = EXCLUDED.report,
           markdown = EXCLUDED.markdown,
           html = EXCLUDED.html,
           saved_at = EXCLUDED.saved_at`,
        [
          checked.identity.repository_url,
          checked.identity.commit,
          checked.report_version,
          checked.identity.analyzed_at,
          checked.security.score,
          JSON.stringify(checked),
          renderings.markdown,
          renderings.html,
        ],
      );
    },

    async get(repositoryUrl, commit) {
      const rows =
        commit === undefined
          ? await executor.query<ReportRow>(
              `SELECT report, markdown, html, saved_at FROM analysis_reports WHERE repository_url = $1 ${NEWEST} LIMIT 1`,
              [repositoryUrl],
            )
          : await executor.query<ReportRow>(
              `SELECT report, markdown, html, saved_at FROM analysis_reports WHERE repository_url = $1 AND commit_sha = $2`,
              [repositoryUrl, commit],
            );
      const row = rows[0];
      return row === undefined ? undefined : toStored(row, `of ${repositoryUrl}`);
    },

    async previous(repositoryUrl, beforeCommit) {
      const rows = await executor.query<{ report: unknown }>(
        `SELECT r.report FROM analysis_reports r
         LEFT JOIN analysis_reports b ON b.repository_url = r.repository_url AND b.commit_sha = $2
         WHERE r.repository_url = $1 AND r.commit_sha <> $2
           AND (b.commit_sha IS NULL
                OR r.analyzed_at < b.analyzed_at
                OR (r.analyzed_at = b.analyzed_at AND r.saved_at < b.saved_at))
         ORDER BY r.analyzed_at DESC, r.saved_at DESC, r.commit_sha DESC
         LIMIT 1`,
        [repositoryUrl, beforeCommit],
      );
      const row = rows[0];
      return row === undefined ? undefined : parseReport(row.report, `before ${beforeCommit} of ${repositoryUrl}`);
    },

    async list(repositoryUrl) {
      const rows = await executor.query<ListRow>(
        `SELECT repository_url, commit_sha, analyzed_at, report_version, saved_at, security_score
         FROM analysis_reports WHERE repository_url = $1 ${NEWEST}`,
        [repositoryUrl],
      );
      return rows.map((row): ReportListEntry => ({
        repositoryUrl: row.repository_url,
        commit: row.commit_sha,
        analyzedAt: new Date(row.analyzed_at),
        reportVersion: Number(row.report_version),
        savedAt: new Date(row.saved_at),
        securityScore: row.security_score === null ? null : Number(row.security_score),
      }));
    },
  };
}
