-- File Selection manifests (issue 6): one per repository and commit, replaced as a whole on save.
-- file_manifest_files holds every path's decision in manifest order (ordinal), so a read returns
-- exactly what was saved; secrets keep type, path and line only, never the secret itself.
-- See src/adapters/sql/manifest-store.ts.
CREATE TABLE file_manifests (
  repository_url text NOT NULL,
  commit_sha text NOT NULL,
  budget bigint,
  partial boolean NOT NULL,
  coverage_percent double precision NOT NULL,
  totals jsonb NOT NULL,
  saved_at timestamptz NOT NULL,
  PRIMARY KEY (repository_url, commit_sha)
);
-- "Newest manifest of a repository".
CREATE INDEX file_manifests_newest_idx ON file_manifests (repository_url, saved_at DESC);

CREATE TABLE file_manifest_files (
  repository_url text NOT NULL,
  commit_sha text NOT NULL,
  ordinal integer NOT NULL,
  path text NOT NULL,
  included boolean NOT NULL,
  reason text NOT NULL,
  rule text NOT NULL,
  language text,
  category text NOT NULL,
  vendored boolean NOT NULL,
  generated boolean NOT NULL,
  bytes bigint NOT NULL,
  tokens integer,
  content_hash text,
  rank double precision,
  PRIMARY KEY (repository_url, commit_sha, ordinal),
  FOREIGN KEY (repository_url, commit_sha) REFERENCES file_manifests (repository_url, commit_sha) ON DELETE CASCADE
);

CREATE TABLE file_manifest_secrets (
  repository_url text NOT NULL,
  commit_sha text NOT NULL,
  ordinal integer NOT NULL,
  path text NOT NULL,
  line integer NOT NULL,
  type text NOT NULL,
  PRIMARY KEY (repository_url, commit_sha, ordinal),
  FOREIGN KEY (repository_url, commit_sha) REFERENCES file_manifests (repository_url, commit_sha) ON DELETE CASCADE
);
