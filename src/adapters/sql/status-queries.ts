/** Read side of the repository status tables: the dashboard's and the CLI's queries. */
import { RepositoryStatuses, type RepositoryStatus } from '../../contracts/status-message.js';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import {
  RepositoryStates,
  type GetRepositoryOptions,
  type ListRepositoriesQuery,
  type RepositoryDetail,
  type RepositoryPage,
  type RepositoryState,
  type StageDurationStats,
} from '../../ports/store.js';
import {
  SUMMARY_COLUMNS,
  toHistoryEntry,
  toRun,
  toSummary,
  type DurationRow,
  type HistoryRow,
  type RunRow,
  type SummaryRow,
} from './rows.js';
import type { SqlExecutor } from './sql-executor.js';

export const MAX_PAGE_SIZE = 1000;
const DEFAULT_HISTORY_LIMIT = 1000;

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RepolensError(ErrorCodes.inputInvalid, `${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

export async function listRepositories(executor: SqlExecutor, query: ListRepositoriesQuery): Promise<RepositoryPage> {
  checkCount('limit', query.limit, 1, MAX_PAGE_SIZE);
  checkCount('offset', query.offset, 0, Number.MAX_SAFE_INTEGER);
  if (query.status !== undefined && !RepositoryStates.includes(query.status)) {
    throw new RepolensError(ErrorCodes.inputInvalid, `unknown repository status "${String(query.status)}"`);
  }
  const search = query.search === undefined || query.search === '' ? null : query.search;
  // strpos, not LIKE: a search for "%" or "_" means those characters.
  const where = `($1::text IS NULL OR (CASE WHEN failed THEN 'failed' ELSE status END) = $1::text)
    AND ($2::text IS NULL OR strpos(lower(repository_url), lower($2::text)) > 0)`;
  const params = [query.status ?? null, search];
  const rows = await executor.query<SummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM repository_status WHERE ${where}
     ORDER BY updated_at DESC, repository_url LIMIT $3 OFFSET $4`,
    [...params, query.limit, query.offset],
  );
  const [count] = await executor.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM repository_status WHERE ${where}`,
    params,
  );
  return { rows: rows.map(toSummary), total: count?.total ?? 0 };
}

export async function getRepository(
  executor: SqlExecutor,
  url: string,
  options: GetRepositoryOptions = {},
): Promise<RepositoryDetail | undefined> {
  const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  checkCount('historyLimit', historyLimit, 0, Number.MAX_SAFE_INTEGER);
  // One snapshot: the current row, its runs and its history agree with each other.
  return executor.transaction(async (tx) => {
    const [current] = await tx.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM repository_status WHERE repository_url = $1`,
      [url],
    );
    if (current === undefined) return undefined;
    const runs = await tx.query<RunRow>(
      `SELECT run_number, run_id, commit_sha, started_at, finished_at, outcome
       FROM repository_runs WHERE repository_url = $1 ORDER BY run_number`,
      [url],
    );
    const durations = await tx.query<DurationRow>(
      `SELECT run_number, stage, duration_ms::float8 AS duration_ms
       FROM repository_stage_durations WHERE repository_url = $1`,
      [url],
    );
    const history = await tx.query<HistoryRow>(
      `SELECT * FROM (
         SELECT id, message_key, status, progress::float8 AS progress, stage_duration_ms::float8 AS stage_duration_ms,
                error, message_timestamp, received_at, run_number, run_id, commit_sha, applied
         FROM repository_status_history WHERE repository_url = $1
         ORDER BY message_timestamp DESC, id DESC LIMIT $2
       ) newest ORDER BY message_timestamp, id`,
      [url, historyLimit],
    );
    const runRecords = runs.map((run) => toRun(run, durations));
    const currentRun = runRecords.find((run) => run.runNumber === current.current_run);
    return {
      ...toSummary(current),
      stageDurationsMs: currentRun?.stageDurationsMs ?? {},
      runs: runRecords,
      history: history.map(toHistoryEntry),
    };
  });
}

export async function countByStatus(executor: SqlExecutor): Promise<Record<RepositoryState, number>> {
  const rows = await executor.query<{ state: string; count: number }>(
    `SELECT CASE WHEN failed THEN 'failed' ELSE status END AS state, count(*)::int AS count
     FROM repository_status GROUP BY 1`,
  );
  const counts = Object.fromEntries(RepositoryStates.map((state) => [state, 0])) as Record<RepositoryState, number>;
  for (const row of rows) counts[row.state as RepositoryState] = row.count;
  return counts;
}

/** Interpolated percentiles (percentile_cont), rounded to whole milliseconds. */
export async function stageDurationPercentiles(executor: SqlExecutor): Promise<StageDurationStats[]> {
  const rows = await executor.query<{ stage: string; count: number; p50: number; p95: number; max: number }>(
    `SELECT stage, count(*)::int AS count,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms))::float8 AS p50,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms))::float8 AS p95,
       max(duration_ms)::float8 AS max
     FROM repository_stage_durations GROUP BY stage`,
  );
  const order = (stage: string): number => RepositoryStatuses.indexOf(stage as RepositoryStatus);
  return rows
    .sort((a, b) => order(a.stage) - order(b.stage))
    .map((row) => ({
      stage: row.stage as RepositoryStatus,
      count: row.count,
      p50Ms: row.p50,
      p95Ms: row.p95,
      maxMs: row.max,
    }));
}
