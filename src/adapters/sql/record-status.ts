/**
 * Records one status message (README.md: idempotency and monotonic rules). Everything happens in
 * one transaction holding a per-repository advisory lock, so two deliveries of messages for the
 * same repository (a rebalance overlap) apply one after the other.
 */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { StatusMessageSchema, type StatusMessage } from '../../contracts/status-message.js';
import type { RecordStatusResult, RunOutcome, StatusMeta } from '../../ports/store.js';
import type { SqlExecutor } from './sql-executor.js';

interface CurrentRow {
  status: string;
  failed: boolean;
  current_run: number;
  stale: boolean;
}

const MAX_MESSAGE_KEY_LENGTH = 1024;

function validate(message: StatusMessage, meta: StatusMeta): StatusMessage {
  const parsed = StatusMessageSchema.safeParse(message);
  if (!parsed.success) {
    throw new RepolensError(ErrorCodes.contractInvalid, `status message is invalid: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  if (meta.messageKey === '' || meta.messageKey.length > MAX_MESSAGE_KEY_LENGTH) {
    throw new RepolensError(
      ErrorCodes.inputInvalid,
      `status messageKey must be 1-${MAX_MESSAGE_KEY_LENGTH} characters`,
    );
  }
  return parsed.data;
}

/** A `cloning` message after the repository moved past cloning, or after a failure, is a re-run. */
function startsNewRun(message: StatusMessage, current: CurrentRow): boolean {
  return message.status === 'cloning' && (current.status !== 'cloning' || current.failed);
}

function outcomeOf(message: StatusMessage): RunOutcome {
  if (message.details.error !== undefined) return 'failed';
  if (message.status === 'analyzed' && message.details.progress >= 100) return 'analyzed';
  return 'running';
}

export async function recordStatus(
  executor: SqlExecutor,
  input: StatusMessage,
  meta: StatusMeta,
): Promise<RecordStatusResult> {
  const message = validate(input, meta);
  const url = message.repository_url;
  const ts = message.timestamp;
  const error = message.details.error ?? null;
  const runId = meta.runId ?? null;
  const commit = meta.commit ?? null;

  return executor.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repolens:repository:${url}`]);
    const inserted = await tx.query<{ id: number }>(
      `INSERT INTO repository_status_history
         (message_key, repository_url, status, progress, stage_duration_ms, error, message_timestamp, run_id, commit_sha)
       VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9)
       ON CONFLICT (message_key) DO NOTHING
       RETURNING id::float8 AS id`,
      [
        meta.messageKey,
        url,
        message.status,
        message.details.progress,
        message.details.stage_duration,
        error,
        ts,
        runId,
        commit,
      ],
    );
    const historyId = inserted[0]?.id;
    if (historyId === undefined) return { stored: false, currentChanged: false };

    const [current] = await tx.query<CurrentRow>(
      `SELECT status, failed, current_run, ($2::timestamptz < updated_at) AS stale
       FROM repository_status WHERE repository_url = $1 FOR UPDATE`,
      [url, ts],
    );

    if (current?.stale === true) {
      await tx.query('UPDATE repository_status_history SET run_number = $2 WHERE id = $1', [
        historyId,
        current.current_run,
      ]);
      return { stored: true, currentChanged: false };
    }

    let run: number;
    if (current === undefined) {
      run = 1;
      await tx.query(
        `INSERT INTO repository_status
           (repository_url, status, progress, failed, last_error, last_error_at, current_run, first_seen_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE $6::timestamptz END, $7, $6::timestamptz, $6::timestamptz)`,
        [url, message.status, message.details.progress, error !== null, error, ts, run],
      );
    } else {
      run = startsNewRun(message, current) ? current.current_run + 1 : current.current_run;
      await tx.query(
        `UPDATE repository_status SET
           status = $2, progress = $3, failed = $4,
           last_error = COALESCE($5::text, last_error),
           last_error_at = CASE WHEN $5::text IS NULL THEN last_error_at ELSE $6::timestamptz END,
           current_run = $7, updated_at = $6::timestamptz
         WHERE repository_url = $1`,
        [url, message.status, message.details.progress, error !== null, error, ts, run],
      );
    }

    const outcome = outcomeOf(message);
    await tx.query(
      `INSERT INTO repository_runs (repository_url, run_number, run_id, commit_sha, started_at, finished_at, outcome)
       VALUES ($1, $2, $3, $4, $5::timestamptz, CASE WHEN $6::text = 'running' THEN NULL ELSE $5::timestamptz END, $6::text)
       ON CONFLICT (repository_url, run_number) DO UPDATE SET
         run_id = COALESCE(repository_runs.run_id, EXCLUDED.run_id),
         commit_sha = COALESCE(EXCLUDED.commit_sha, repository_runs.commit_sha),
         finished_at = EXCLUDED.finished_at,
         outcome = EXCLUDED.outcome`,
      [url, run, runId, commit, ts, outcome],
    );

    if (error === null && message.details.progress >= 100) {
      await tx.query(
        `INSERT INTO repository_stage_durations (repository_url, run_number, stage, duration_ms, completed_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz)
         ON CONFLICT (repository_url, run_number, stage) DO UPDATE SET
           duration_ms = EXCLUDED.duration_ms, completed_at = EXCLUDED.completed_at`,
        [url, run, message.status, message.details.stage_duration, ts],
      );
    }

    await tx.query('UPDATE repository_status_history SET run_number = $2, applied = true WHERE id = $1', [
      historyId,
      run,
    ]);
    return { stored: true, currentChanged: true };
  });
}
