-- Project Analysis reports (issue 8): one per repository and commit, upserted by that pair.
-- The report is jsonb (validated against src/contracts/report.ts on read); the renderings are
-- stored as made, so reading one never re-renders. See src/adapters/sql/report-store.ts.
CREATE TABLE analysis_reports (
  repository_url text NOT NULL,
  commit_sha text NOT NULL,
  report_version integer NOT NULL,
  analyzed_at timestamptz NOT NULL,
  security_score double precision,
  report jsonb NOT NULL,
  markdown text NOT NULL,
  html text NOT NULL,
  saved_at timestamptz NOT NULL,
  PRIMARY KEY (repository_url, commit_sha)
);
-- "Newest report of a repository" and "the one before this one".
CREATE INDEX analysis_reports_newest_idx ON analysis_reports (repository_url, analyzed_at DESC, saved_at DESC);
