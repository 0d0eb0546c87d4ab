-- recordStatus in one statement (see ../README.md, "Rules of recordStatus"). The Database Service
-- records every status message; done as separate statements inside a transaction that cost about
-- ten round trips per message (BEGIN, lock, insert, select, update, two upserts, update, COMMIT),
-- and those round trips were most of its database time. The rules are unchanged; a single
-- statement is its own transaction, so the advisory lock is held until the message is applied.
CREATE FUNCTION repolens_record_status(
  p_message_key text,
  p_url text,
  p_status text,
  p_progress double precision,
  p_stage_duration_ms bigint,
  p_error text,
  p_timestamp timestamptz,
  p_run_id text,
  p_commit_sha text,
  OUT stored boolean,
  OUT current_changed boolean
) LANGUAGE plpgsql AS $$
DECLARE
  v_history_id bigint;
  v_current record;
  v_run integer;
  v_outcome text;
BEGIN
  -- Two deliveries for one repository (a rebalance overlap) apply one after the other.
  PERFORM pg_advisory_xact_lock(hashtext('repolens:repository:' || p_url));

  -- 1. Idempotent: a message key seen before changes nothing.
  INSERT INTO repository_status_history
    (message_key, repository_url, status, progress, stage_duration_ms, error, message_timestamp, run_id, commit_sha)
  VALUES (p_message_key, p_url, p_status, p_progress, p_stage_duration_ms, p_error, p_timestamp, p_run_id, p_commit_sha)
  ON CONFLICT (message_key) DO NOTHING
  RETURNING id INTO v_history_id;
  IF v_history_id IS NULL THEN
    stored := false;
    current_changed := false;
    RETURN;
  END IF;

  SELECT s.status, s.failed, s.current_run, (p_timestamp < s.updated_at) AS stale
    INTO v_current
    FROM repository_status s WHERE s.repository_url = p_url FOR UPDATE;

  IF NOT FOUND THEN
    v_run := 1;
    INSERT INTO repository_status
      (repository_url, status, progress, failed, last_error, last_error_at, current_run, first_seen_at, updated_at)
    VALUES (p_url, p_status, p_progress, p_error IS NOT NULL, p_error,
            CASE WHEN p_error IS NULL THEN NULL ELSE p_timestamp END, v_run, p_timestamp, p_timestamp);
  ELSIF v_current.stale THEN
    -- 2. Monotonic: an older message stays in the history only.
    UPDATE repository_status_history SET run_number = v_current.current_run WHERE id = v_history_id;
    stored := true;
    current_changed := false;
    RETURN;
  ELSE
    -- 3. Runs: an applied `cloning` after the repository moved past cloning, or failed, is a re-run.
    v_run := CASE
      WHEN p_status = 'cloning' AND (v_current.status <> 'cloning' OR v_current.failed)
        THEN v_current.current_run + 1
      ELSE v_current.current_run
    END;
    UPDATE repository_status SET
      status = p_status, progress = p_progress, failed = p_error IS NOT NULL,
      last_error = COALESCE(p_error, last_error),
      last_error_at = CASE WHEN p_error IS NULL THEN last_error_at ELSE p_timestamp END,
      current_run = v_run, updated_at = p_timestamp
    WHERE repository_url = p_url;
  END IF;

  v_outcome := CASE
    WHEN p_error IS NOT NULL THEN 'failed'
    WHEN p_status = 'analyzed' AND p_progress >= 100 THEN 'analyzed'
    ELSE 'running'
  END;
  INSERT INTO repository_runs AS r (repository_url, run_number, run_id, commit_sha, started_at, finished_at, outcome)
  VALUES (p_url, v_run, p_run_id, p_commit_sha, p_timestamp,
          CASE WHEN v_outcome = 'running' THEN NULL ELSE p_timestamp END, v_outcome)
  ON CONFLICT (repository_url, run_number) DO UPDATE SET
    run_id = COALESCE(r.run_id, EXCLUDED.run_id),
    commit_sha = COALESCE(EXCLUDED.commit_sha, r.commit_sha),
    finished_at = EXCLUDED.finished_at,
    outcome = EXCLUDED.outcome;

  -- 4. Durations: each stage's progress-100 message without an error, per run.
  IF p_error IS NULL AND p_progress >= 100 THEN
    INSERT INTO repository_stage_durations (repository_url, run_number, stage, duration_ms, completed_at)
    VALUES (p_url, v_run, p_status, p_stage_duration_ms, p_timestamp)
    ON CONFLICT (repository_url, run_number, stage) DO UPDATE SET
      duration_ms = EXCLUDED.duration_ms, completed_at = EXCLUDED.completed_at;
  END IF;

  UPDATE repository_status_history SET run_number = v_run, applied = true WHERE id = v_history_id;
  stored := true;
  current_changed := true;
END
$$;
