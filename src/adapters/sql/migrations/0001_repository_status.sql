-- Extensions are database-wide; public is on every search_path repolens sets.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

-- Current state: one row per repository, the latest applied status message.
CREATE TABLE repository_status (
  repository_url text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('cloning', 'file_selection', 'rag_loaded', 'analyzed')),
  progress double precision NOT NULL,
  failed boolean NOT NULL,
  last_error text,
  last_error_at timestamptz,
  current_run integer NOT NULL,
  first_seen_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX repository_status_updated_idx ON repository_status (updated_at DESC, repository_url);
CREATE INDEX repository_status_state_idx ON repository_status (failed, status);

-- One pass through the stages.
CREATE TABLE repository_runs (
  repository_url text NOT NULL REFERENCES repository_status (repository_url) ON DELETE CASCADE,
  run_number integer NOT NULL,
  run_id text,
  commit_sha text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  outcome text NOT NULL CHECK (outcome IN ('running', 'analyzed', 'failed')),
  PRIMARY KEY (repository_url, run_number)
);

-- stage_duration of the progress-100 message of each stage, per run.
CREATE TABLE repository_stage_durations (
  repository_url text NOT NULL,
  run_number integer NOT NULL,
  stage text NOT NULL,
  duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
  completed_at timestamptz NOT NULL,
  PRIMARY KEY (repository_url, run_number, stage),
  FOREIGN KEY (repository_url, run_number)
    REFERENCES repository_runs (repository_url, run_number) ON DELETE CASCADE
);
CREATE INDEX repository_stage_durations_stage_idx ON repository_stage_durations (stage);

-- Every status message once, keyed by its delivery's dedupe key.
CREATE TABLE repository_status_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_key text NOT NULL UNIQUE,
  repository_url text NOT NULL,
  status text NOT NULL,
  progress double precision NOT NULL,
  stage_duration_ms bigint NOT NULL,
  error text,
  message_timestamp timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  run_number integer,
  run_id text,
  commit_sha text,
  applied boolean NOT NULL DEFAULT false
);
CREATE INDEX repository_status_history_url_idx
  ON repository_status_history (repository_url, message_timestamp, id);
