/**
 * Where bench:pipeline's time went per stage, from the status history the Database Service
 * recorded (message timestamps): the hand-off (from the previous stage's last status to this
 * stage's first: bus, consumer, task journal, and any wait for a free handler) and the work
 * (stage_duration), beside the same stage called directly. Samples add up over several runs.
 */
import { RepositoryStatuses } from '../../src/contracts/status-message.js';
import { median, summarize } from './stats.js';

interface HistoryRow {
  readonly repository_url: string;
  readonly status: string;
  readonly progress: number;
  readonly stage_duration_ms: string;
  readonly at_ms: number;
}

interface Queryable {
  query<T>(sql: string, values: unknown[]): Promise<{ rows: T[] }>;
}

export class StageBreakdown {
  readonly #handOffs: number[][] = RepositoryStatuses.map(() => []);
  readonly #work: number[][] = RepositoryStatuses.map(() => []);
  /** The direct mode's time per stage; its runner pushes into these. */
  readonly directWork: number[][] = RepositoryStatuses.map(() => []);
  readonly #messages: number[] = [];

  /** Adds the pipeline's samples for `urls` from one run's store. */
  async addPipeline(
    pool: Queryable,
    urls: readonly string[],
    publishedAtMs: ReadonlyMap<string, number>,
  ): Promise<void> {
    const { rows } = await pool.query<HistoryRow>(
      `SELECT repository_url, status, progress, stage_duration_ms,
              extract(epoch FROM message_timestamp) * 1000 AS at_ms
         FROM repository_status_history WHERE repository_url = ANY($1)
        ORDER BY repository_url, message_timestamp, id`,
      [urls],
    );
    const byRepository = new Map<string, HistoryRow[]>();
    for (const row of rows) {
      const history = byRepository.get(row.repository_url) ?? [];
      history.push(row);
      byRepository.set(row.repository_url, history);
    }
    for (const [url, history] of byRepository) {
      this.#messages.push(history.length);
      RepositoryStatuses.forEach((status, i) => {
        const first = history.find((row) => row.status === status);
        const done = history.find((row) => row.status === status && row.progress === 100);
        const previous = i === 0 ? undefined : history.findLast((row) => row.status === RepositoryStatuses[i - 1]);
        const from = previous?.at_ms ?? publishedAtMs.get(url) ?? Number.NaN;
        if (first !== undefined) this.#handOffs[i]?.push(first.at_ms - from);
        if (done !== undefined) this.#work[i]?.push(Number(done.stage_duration_ms));
      });
    }
  }

  lines(): string[] {
    const ms = (values: readonly number[] | undefined): string => `${Math.round(median(values ?? []))} ms`;
    // The tail shows what the median hides: repositories waiting seconds for a handler of the
    // worker that owns their partition while the other worker idles.
    const tail = (values: readonly number[] | undefined): string => {
      const { p95, max } = summarize(values ?? []);
      return `p95 ${Math.round(p95)} ms, max ${Math.round(max)} ms`;
    };
    return [
      ...RepositoryStatuses.map((status, i) => {
        const from = i === 0 ? 'discovery published' : RepositoryStatuses[i - 1];
        return (
          `  ${status.padEnd(15)} hand-off from ${from}: ${ms(this.#handOffs[i])} (${tail(this.#handOffs[i])}), ` +
          `work: ${ms(this.#work[i])} (direct: ${ms(this.directWork[i])})`
        );
      }),
      `  status messages per repository: ${median(this.#messages)} (median)`,
    ];
  }
}
