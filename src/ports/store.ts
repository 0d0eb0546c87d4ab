/**
 * Store: the database behind the Database Service — every `repository.status` message in a
 * history, one current row per repository, and its runs. Two adapters implement it on the same
 * SQL (src/adapters/sql): store-postgres (distributed mode) and store-pglite (embedded mode).
 *
 * The contract (checked by test/contract/store.contract.ts against every adapter):
 * - `migrate()` applies pending migrations under a lock, so concurrent starters apply each one
 *   once; running it again is a no-op. A database migrated by a newer repolens is refused with
 *   `REPOLENS_DATABASE_NEWER` (naming both versions), never modified. Call it before anything else.
 * - `recordStatus` is idempotent on `meta.messageKey`: the same message delivered twice is stored
 *   once (`stored: false` the second time) and changes nothing else.
 * - It is monotonic: a message whose timestamp is older than the repository's current row is kept
 *   in the history but leaves the current row (and runs and durations) untouched
 *   (`currentChanged: false`). A message with the same timestamp as the current row is applied.
 * - A run is one pass through the stages. The first message of a repository opens run 1; a
 *   `cloning` message applied when the repository is past cloning (e.g. `analyzed`) or failed
 *   opens the next run. A message with `details.error` marks the repository and its run failed
 *   and sets the last error (kept until a later error replaces it); `analyzed` at progress 100
 *   finishes the run. A stage's `stage_duration` at progress 100 is its duration in that run.
 * - Writes are atomic: a message is either fully recorded (history, current row, run, duration)
 *   or not at all, so a redelivery after a crash is never mistaken for a duplicate.
 * - A dependency failure (database down, connection lost) is a `RepolensError` with code
 *   `REPOLENS_UNAVAILABLE` and `retryable: true`.
 * - `close()` releases connections and locks. Safe twice; other calls after it reject.
 */
import type { RepositoryStatus, StatusMessage } from '../contracts/status-message.js';

/** A repository's state: its current stage, or `failed` when the last applied message failed. */
export type RepositoryState = RepositoryStatus | 'failed';

export const RepositoryStates: readonly RepositoryState[] = [
  'cloning',
  'file_selection',
  'rag_loaded',
  'analyzed',
  'failed',
];

export type RunOutcome = 'running' | 'analyzed' | 'failed';

/** Duration in ms per stage that reached progress 100. */
export type StageDurations = Partial<Record<RepositoryStatus, number>>;

export interface StatusMeta {
  /** Dedupe key: the same delivery always has the same key (e.g. `topic:partition:offset`). */
  readonly messageKey: string;
  /** Run id from the message headers, recorded on the run. */
  readonly runId?: string;
  /** Commit SHA from the message headers, recorded on the run. */
  readonly commit?: string;
}

export interface RecordStatusResult {
  /** False when a message with the same key was stored before. */
  readonly stored: boolean;
  /** True when the message became the repository's current state. */
  readonly currentChanged: boolean;
}

export interface RepositorySummary {
  readonly url: string;
  /** The stage of the last applied message. */
  readonly status: RepositoryStatus;
  /** `failed` when the last applied message carried an error, else `status`. */
  readonly state: RepositoryState;
  /** 0-100 within `status`. */
  readonly progress: number;
  readonly lastError: string | null;
  readonly lastErrorAt: Date | null;
  /** Timestamp of the repository's first stored message. */
  readonly firstSeenAt: Date;
  /** Timestamp of the message that is the current state. */
  readonly updatedAt: Date;
  readonly runNumber: number;
}

export interface RunRecord {
  /** 1, 2, … per repository. */
  readonly runNumber: number;
  readonly runId: string | null;
  readonly commit: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: RunOutcome;
  readonly stageDurationsMs: StageDurations;
}

export interface HistoryEntry {
  readonly messageKey: string;
  readonly status: RepositoryStatus;
  readonly progress: number;
  readonly stageDurationMs: number;
  readonly error: string | null;
  /** The message's own timestamp. */
  readonly timestamp: Date;
  /** When the store received it. */
  readonly receivedAt: Date;
  /** The run it was counted in (for a stale message: the run that was current then). */
  readonly runNumber: number | null;
  readonly runId: string | null;
  readonly commit: string | null;
  /** False for a message that was older than the current row when it arrived. */
  readonly applied: boolean;
}

export interface RepositoryDetail extends RepositorySummary {
  /** Durations of the current run. */
  readonly stageDurationsMs: StageDurations;
  /** Oldest first. */
  readonly runs: readonly RunRecord[];
  /** By message timestamp, oldest first; at most `historyLimit` (the newest ones). */
  readonly history: readonly HistoryEntry[];
}

export interface ListRepositoriesQuery {
  readonly status?: RepositoryState;
  /** Case-insensitive substring of the URL. */
  readonly search?: string;
  readonly limit: number;
  readonly offset: number;
}

export interface RepositoryPage {
  /** Most recently updated first, then by URL. */
  readonly rows: readonly RepositorySummary[];
  /** Rows matching the filter, ignoring limit and offset. */
  readonly total: number;
}

export interface StageDurationStats {
  readonly stage: RepositoryStatus;
  /** Completed stage runs measured. */
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface GetRepositoryOptions {
  /** Most history entries returned (the newest; default 1000). */
  readonly historyLimit?: number;
}

export interface Store {
  migrate(): Promise<void>;
  recordStatus(message: StatusMessage, meta: StatusMeta): Promise<RecordStatusResult>;
  listRepositories(query: ListRepositoriesQuery): Promise<RepositoryPage>;
  getRepository(url: string, options?: GetRepositoryOptions): Promise<RepositoryDetail | undefined>;
  /** Every state, zero included. */
  countByStatus(): Promise<Record<RepositoryState, number>>;
  /**
   * Over every completed stage of every run, interpolated (percentile_cont) and rounded to whole
   * ms; stages never completed are absent. Pipeline order.
   */
  stageDurationPercentiles(): Promise<readonly StageDurationStats[]>;
  close(): Promise<void>;
}
