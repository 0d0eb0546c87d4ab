/**
 * Store and DLQ records as the API prints them: snake_case like the message contract and the
 * CLI's JSON, dates as ISO-8601 strings, links to related resources.
 */
import type { ReportListEntry } from '../ports/report-store.js';
import type { HistoryEntry, RepositoryDetail, RepositorySummary, RunRecord } from '../ports/store.js';
import type { DlqEntry } from '../runtime/dlq-tools.js';
import { repositoryLinks, repositoryPath } from './repository-id.js';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function summaryDto(row: RepositorySummary) {
  return {
    repository_url: row.url,
    status: row.status,
    state: row.state,
    progress: row.progress,
    last_error: row.lastError,
    last_error_at: iso(row.lastErrorAt),
    first_seen_at: row.firstSeenAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    run_number: row.runNumber,
    links: repositoryLinks(row.url),
  };
}

function runDto(run: RunRecord) {
  return {
    run_number: run.runNumber,
    run_id: run.runId,
    commit: run.commit,
    started_at: run.startedAt.toISOString(),
    finished_at: iso(run.finishedAt),
    outcome: run.outcome,
    stage_durations_ms: run.stageDurationsMs,
  };
}

function historyDto(entry: HistoryEntry) {
  return {
    status: entry.status,
    progress: entry.progress,
    stage_duration_ms: entry.stageDurationMs,
    error: entry.error,
    timestamp: entry.timestamp.toISOString(),
    received_at: entry.receivedAt.toISOString(),
    run_number: entry.runNumber,
    commit: entry.commit,
    applied: entry.applied,
  };
}

export function reportEntryDto(entry: ReportListEntry) {
  const base = `${repositoryPath(entry.repositoryUrl)}/report`;
  const commit = encodeURIComponent(entry.commit);
  return {
    commit: entry.commit,
    analyzed_at: entry.analyzedAt.toISOString(),
    report_version: entry.reportVersion,
    security_score: entry.securityScore,
    links: {
      json: `${base}?format=json&commit=${commit}`,
      md: `${base}?format=md&commit=${commit}`,
      html: `${base}?format=html&commit=${commit}`,
    },
  };
}

export interface TaskDto {
  readonly task_id: string;
  readonly task_type: string;
  readonly status: string;
  readonly created_at: string;
  readonly commit: string | null;
  readonly retry_count: number;
  readonly last_error: string | null;
}

export function detailDto(detail: RepositoryDetail, reports: readonly ReportListEntry[], tasks: readonly TaskDto[]) {
  return {
    ...summaryDto(detail),
    stage_durations_ms: detail.stageDurationsMs,
    runs: detail.runs.map(runDto),
    history: detail.history.map(historyDto),
    tasks,
    reports: reports.map(reportEntryDto),
  };
}

export function dlqEntryDto(entry: DlqEntry) {
  return {
    id: entry.id,
    partition: entry.partition,
    offset: entry.offset,
    key: entry.key,
    original_topic: entry.originalTopic,
    original_partition: entry.originalPartition,
    original_offset: entry.originalOffset,
    consumer_group: entry.consumerGroup,
    service: entry.service,
    attempt: entry.attempt,
    error_code: entry.errorCode,
    error_message: entry.errorMessage,
    failed_at: entry.failedAt,
    size_bytes: entry.sizeBytes,
  };
}
