/**
 * The seed's alerts evaluated inside repolens, for users without Prometheus: the consumer
 * runtime's handled events and the lag collector's readings feed sliding windows; `evaluate()`
 * moves each alert instance through pending → firing (after the `for` duration) → resolved,
 * like Prometheus does, and reports every transition to `onChange` (the logger and the
 * Alertmanager-format webhook).
 */
import type { Clock } from '../ports/clock.js';
import { alertRules, type AlertName, type AlertThresholds } from './alert-rules.js';
import type { LagRow } from './consumer-lag.js';
import type { HandledEvent } from './metrics.js';

export type AlertStatus = 'pending' | 'firing' | 'resolved';

export interface AlertState {
  readonly name: AlertName;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: AlertStatus;
  readonly summary: string;
  /** The measured value that crossed (or last crossed) the threshold. */
  readonly value: number;
  readonly threshold: number;
  /** When the condition started to hold. */
  readonly activeSince: Date;
  readonly firedAt: Date | null;
  readonly resolvedAt: Date | null;
}

export interface AlertEvaluator {
  recordHandled(event: HandledEvent): void;
  recordLag(rows: readonly LagRow[]): void;
  /** Applies the rules at the clock's now; returns the alerts whose status changed. */
  evaluate(): AlertState[];
  /** Pending and firing alerts, and those resolved within the last window. */
  alerts(): AlertState[];
}

interface Sample {
  readonly at: number;
  readonly service: string;
  readonly failed: boolean;
  readonly durationMs: number;
}

function percentile95(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
}

/** Fills Prometheus-style `{{ $labels.x }}` placeholders, so both renderings read the same. */
function fillLabels(template: string, labels: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}

function instanceKey(name: AlertName, labels: Readonly<Record<string, string>>): string {
  return `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

export function createAlertEvaluator(options: {
  readonly thresholds: AlertThresholds;
  readonly clock: Clock;
  readonly onChange?: (changed: readonly AlertState[]) => void;
}): AlertEvaluator {
  const { thresholds: t, clock } = options;
  const summaries = new Map(alertRules(t).map((rule) => [rule.name, rule.summary]));
  const samples: Sample[] = [];
  let lag = new Map<string, number>();
  const states = new Map<string, AlertState>();

  /** Instances whose condition holds now, with their measured values. */
  function conditions(
    now: number,
  ): { name: AlertName; labels: Record<string, string>; value: number; threshold: number }[] {
    while (samples.length > 0 && (samples[0]?.at ?? now) < now - t.windowMs) samples.shift();
    const active: { name: AlertName; labels: Record<string, string>; value: number; threshold: number }[] = [];
    for (const [key, value] of lag) {
      if (value <= t.lagMessages) continue;
      const [consumergroup = '', topic = ''] = key.split('\u0000');
      active.push({
        name: 'RepolensConsumerLagHigh',
        labels: { consumergroup, topic },
        value,
        threshold: t.lagMessages,
      });
    }
    if (samples.length > 0) {
      const failedPercent = (100 * samples.filter((s) => s.failed).length) / samples.length;
      if (failedPercent > t.errorRatePercent)
        active.push({ name: 'RepolensErrorRateHigh', labels: {}, value: failedPercent, threshold: t.errorRatePercent });
    }
    const byService = new Map<string, number[]>();
    for (const sample of samples)
      byService.set(sample.service, [...(byService.get(sample.service) ?? []), sample.durationMs]);
    for (const [service, durations] of byService) {
      const p95 = percentile95(durations);
      if (p95 > t.processingTimeMs)
        active.push({
          name: 'RepolensProcessingTimeHigh',
          labels: { service },
          value: p95,
          threshold: t.processingTimeMs,
        });
    }
    return active;
  }

  return {
    recordHandled: (event) => {
      if (!event.started) return;
      samples.push({
        at: clock.now(),
        service: event.service,
        failed: event.outcome === 'retried' || event.outcome === 'dead-lettered',
        durationMs: event.durationMs,
      });
    },
    recordLag: (rows) => {
      const totals = new Map<string, number>();
      for (const row of rows) {
        const key = `${row.group}\u0000${row.topic}`;
        totals.set(key, (totals.get(key) ?? 0) + row.lag);
      }
      lag = totals;
    },
    evaluate: () => {
      const now = clock.now();
      const changed: AlertState[] = [];
      const holding = new Set<string>();
      for (const condition of conditions(now)) {
        const key = instanceKey(condition.name, condition.labels);
        holding.add(key);
        const previous = states.get(key);
        const since = previous !== undefined && previous.status !== 'resolved' ? previous.activeSince.getTime() : now;
        const status: AlertStatus = now - since >= t.forMs ? 'firing' : 'pending';
        const next: AlertState = {
          name: condition.name,
          labels: condition.labels,
          status,
          summary: fillLabels(summaries.get(condition.name) ?? condition.name, condition.labels),
          value: condition.value,
          threshold: condition.threshold,
          activeSince: new Date(since),
          firedAt: status === 'firing' ? (previous?.firedAt ?? new Date(now)) : null,
          resolvedAt: null,
        };
        states.set(key, next);
        if (previous?.status !== next.status) changed.push(next);
      }
      for (const [key, state] of states) {
        if (holding.has(key)) continue;
        if (state.status === 'resolved') {
          if (state.resolvedAt !== null && now - state.resolvedAt.getTime() > t.windowMs) states.delete(key);
          continue;
        }
        if (state.status === 'pending') {
          // Never fired: nothing to resolve, it simply goes away (as in Prometheus).
          states.delete(key);
          continue;
        }
        const resolved: AlertState = { ...state, status: 'resolved', resolvedAt: new Date(now) };
        states.set(key, resolved);
        changed.push(resolved);
      }
      if (changed.length > 0) options.onChange?.(changed);
      return changed;
    },
    alerts: () => [...states.values()],
  };
}
