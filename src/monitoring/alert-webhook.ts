/**
 * Posts alert transitions to a webhook in Alertmanager's webhook payload format (version 4), so
 * any receiver written for Alertmanager (chat bridges, incident tools) takes repolens' alerts
 * unchanged. Delivery is best effort with a timeout: a failing receiver is logged, never allowed
 * to stall evaluation.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../ports/logger.js';
import type { AlertState } from './alert-evaluator.js';

export interface AlertmanagerAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  /** `0001-01-01T00:00:00Z` while firing, as Alertmanager sends it. */
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

export interface AlertmanagerPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly commonAnnotations: Record<string, string>;
  readonly externalURL: string;
  readonly alerts: AlertmanagerAlert[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function toAlertmanagerPayload(changed: readonly AlertState[], externalUrl = ''): AlertmanagerPayload {
  const alerts: AlertmanagerAlert[] = changed
    .filter((alert) => alert.status !== 'pending')
    .map((alert) => {
      const labels = { alertname: alert.name, ...alert.labels };
      return {
        status: alert.status === 'resolved' ? 'resolved' : 'firing',
        labels,
        annotations: { summary: alert.summary, value: String(alert.value), threshold: String(alert.threshold) },
        startsAt: (alert.firedAt ?? alert.activeSince).toISOString(),
        endsAt: alert.resolvedAt?.toISOString() ?? ZERO_TIME,
        generatorURL: externalUrl,
        fingerprint: createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16),
      };
    });
  const names = [...new Set(alerts.map((alert) => alert.labels['alertname'] ?? ''))];
  const groupLabels: Record<string, string> = names.length === 1 ? { alertname: names[0] ?? '' } : {};
  return {
    version: '4',
    groupKey: `{}:${JSON.stringify(groupLabels)}`,
    truncatedAlerts: 0,
    status: alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'repolens',
    groupLabels,
    commonLabels: groupLabels,
    commonAnnotations: {},
    externalURL: externalUrl,
    alerts,
  };
}

export function createAlertWebhook(options: {
  readonly url: string;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}): (changed: readonly AlertState[]) => Promise<void> {
  return async (changed) => {
    const payload = toAlertmanagerPayload(changed);
    if (payload.alerts.length === 0) return;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) options.logger.warn({ status: response.status }, 'alert webhook refused the alerts');
    } catch (error) {
      options.logger.warn({ err: error }, 'alert webhook unreachable');
    }
  };
}
