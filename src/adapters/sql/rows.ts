/** Row shapes the queries select, and their mapping to the port's types. */
import type { RepositoryStatus } from '../../contracts/status-message.js';
import type {
  HistoryEntry,
  RepositoryState,
  RepositorySummary,
  RunOutcome,
  RunRecord,
  StageDurations,
} from '../../ports/store.js';

/** Columns every summary query selects (SUMMARY_COLUMNS). Casts keep both drivers on JS numbers. */
export const SUMMARY_COLUMNS = `repository_url, status, CASE WHEN failed THEN 'failed' ELSE status END AS state,
  progress::float8 AS progress, last_error, last_error_at, first_seen_at, updated_at, current_run`;

export interface SummaryRow {
  repository_url: string;
  status: string;
  state: string;
  progress: number;
  last_error: string | null;
  last_error_at: Date | null;
  first_seen_at: Date;
  updated_at: Date;
  current_run: number;
}

export function toSummary(row: SummaryRow): RepositorySummary {
  return {
    url: row.repository_url,
    status: row.status as RepositoryStatus,
    state: row.state as RepositoryState,
    progress: row.progress,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
    runNumber: row.current_run,
  };
}

export interface RunRow {
  run_number: number;
  run_id: string | null;
  commit_sha: string | null;
  started_at: Date;
  finished_at: Date | null;
  outcome: string;
}

export interface DurationRow {
  run_number: number;
  stage: string;
  duration_ms: number;
}

export function toRun(row: RunRow, durations: readonly DurationRow[]): RunRecord {
  const stageDurationsMs: StageDurations = {};
  for (const duration of durations) {
    if (duration.run_number === row.run_number)
      stageDurationsMs[duration.stage as RepositoryStatus] = duration.duration_ms;
  }
  return {
    runNumber: row.run_number,
    runId: row.run_id,
    commit: row.commit_sha,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome as RunOutcome,
    stageDurationsMs,
  };
}

export interface HistoryRow {
  message_key: string;
  status: string;
  progress: number;
  stage_duration_ms: number;
  error: string | null;
  message_timestamp: Date;
  received_at: Date;
  run_number: number | null;
  run_id: string | null;
  commit_sha: string | null;
  applied: boolean;
}

export function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    messageKey: row.message_key,
    status: row.status as RepositoryStatus,
    progress: row.progress,
    stageDurationMs: row.stage_duration_ms,
    error: row.error,
    timestamp: row.message_timestamp,
    receivedAt: row.received_at,
    runNumber: row.run_number,
    runId: row.run_id,
    commit: row.commit_sha,
    applied: row.applied,
  };
}
