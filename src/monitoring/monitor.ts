/**
 * The monitoring loop of a long-running process: every interval it reads consumer lag and the
 * DLQ size through BusAdmin into the metrics, feeds the alert evaluator and evaluates it. One
 * loop per process; a failed reading is logged and tried again next interval (monitoring must
 * never take the worker down).
 */
import { Topics } from '../contracts/topics.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { AlertEvaluator } from './alert-evaluator.js';
import { readLag, seedGroups, type LagRow, type WatchedGroup } from './consumer-lag.js';
import { lagKey, type RepolensMetrics } from './metrics.js';

export interface MonitorOptions {
  readonly admin: BusAdmin;
  readonly metrics: RepolensMetrics;
  readonly evaluator: AlertEvaluator;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** Default: the seed's groups and their retry-tier groups. */
  readonly groups?: readonly WatchedGroup[];
}

export interface Monitor {
  /** One reading and evaluation now (the loop calls it; tests may too). */
  tick(): Promise<readonly LagRow[]>;
  close(): Promise<void>;
}

export function startMonitor(options: MonitorOptions): Monitor {
  const groups = options.groups ?? seedGroups();
  const controller = new AbortController();

  const tick = async (): Promise<readonly LagRow[]> => {
    const { rows, retained } = await readLag(options.admin, groups, [Topics.dlq]);
    const seen = new Set<string>();
    for (const row of rows) {
      options.metrics.setLag(row.group, row.topic, row.partition, row.lag);
      seen.add(lagKey(row.group, row.topic, row.partition));
    }
    options.metrics.pruneLag(seen);
    options.metrics.setDlqSize(retained.get(Topics.dlq) ?? 0);
    options.evaluator.recordLag(rows);
    options.evaluator.evaluate();
    return rows;
  };

  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await tick();
      } catch (error) {
        if (controller.signal.aborted) return;
        options.logger.warn({ err: error }, 'monitoring: reading lag failed; trying again next interval');
      }
      try {
        await options.clock.sleep(options.intervalMs, controller.signal);
      } catch {
        return; // aborted
      }
    }
  })();

  return {
    tick,
    close: async () => {
      controller.abort();
      await loop;
    },
  };
}
