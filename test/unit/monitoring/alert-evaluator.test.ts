/**
 * The in-process alert evaluator: each of the seed's three alerts goes pending, fires after the
 * `for` duration, and resolves when its condition stops holding; transitions reach the webhook
 * in Alertmanager's payload format (a real local HTTP server receives them).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/system/silent-logger.js';
import type { Clock } from '../../../src/ports/clock.js';
import { createAlertEvaluator, type AlertState } from '../../../src/monitoring/alert-evaluator.js';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../../../src/monitoring/alert-rules.js';
import { createAlertWebhook, type AlertmanagerPayload } from '../../../src/monitoring/alert-webhook.js';
import type { HandledEvent } from '../../../src/monitoring/metrics.js';

function manualClock(start = Date.parse('2026-11-27T12:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, sleep: async () => undefined, advance: (ms) => (now += ms) };
}

const thresholds: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS, windowMs: 60_000, forMs: 10_000 };

const handled = (service: string, outcome: HandledEvent['outcome'], durationMs = 10): HandledEvent => ({
  topic: 'repository.tasks',
  groupId: 'task-consumers',
  service,
  outcome,
  durationMs,
  tier: 0,
  started: true,
});

const lagRow = (group: string, partition: number, lag: number) => ({
  group,
  topic: 'repository.tasks',
  partition,
  committed: 0n,
  latest: BigInt(lag),
  lag,
});

describe('alert evaluator', () => {
  it('fires the lag alert on the group total after the for duration, then resolves it', () => {
    const clock = manualClock();
    const evaluator = createAlertEvaluator({ thresholds, clock });
    evaluator.recordLag([lagRow('task-consumers', 0, 600), lagRow('task-consumers', 1, 500)]);
    expect(evaluator.evaluate()).toMatchObject([
      { name: 'RepolensConsumerLagHigh', status: 'pending', value: 1100, labels: { consumergroup: 'task-consumers' } },
    ]);
    clock.advance(9_999);
    expect(evaluator.evaluate()).toEqual([]);
    clock.advance(1);
    expect(evaluator.evaluate()).toMatchObject([{ name: 'RepolensConsumerLagHigh', status: 'firing' }]);
    evaluator.recordLag([lagRow('task-consumers', 0, 600), lagRow('task-consumers', 1, 400)]);
    expect(evaluator.evaluate()).toMatchObject([{ name: 'RepolensConsumerLagHigh', status: 'resolved' }]);
    expect(evaluator.alerts()).toMatchObject([{ status: 'resolved' }]);
  });

  it('drops a pending alert whose condition stops before it fires, without a resolved notice', () => {
    const clock = manualClock();
    const evaluator = createAlertEvaluator({ thresholds, clock });
    evaluator.recordLag([lagRow('status-consumers', 0, 5000)]);
    evaluator.evaluate();
    evaluator.recordLag([lagRow('status-consumers', 0, 0)]);
    expect(evaluator.evaluate()).toEqual([]);
    expect(evaluator.alerts()).toEqual([]);
  });

  it('fires the error-rate alert above 5 % of handled messages in the window, not at exactly 5 %', () => {
    const clock = manualClock();
    const evaluator = createAlertEvaluator({ thresholds: { ...thresholds, forMs: 0 }, clock });
    for (let i = 0; i < 19; i++) evaluator.recordHandled(handled('file-selection', 'success'));
    evaluator.recordHandled(handled('file-selection', 'retried'));
    expect(evaluator.evaluate()).toEqual([]); // 1 of 20 = 5 %
    evaluator.recordHandled(handled('file-selection', 'dead-lettered'));
    expect(evaluator.evaluate()).toMatchObject([{ name: 'RepolensErrorRateHigh', status: 'firing' }]);
    clock.advance(60_001); // the failures leave the window
    evaluator.recordHandled(handled('file-selection', 'success'));
    expect(evaluator.evaluate()).toMatchObject([{ name: 'RepolensErrorRateHigh', status: 'resolved' }]);
  });

  it('fires the processing-time alert per service on the 95th percentile', () => {
    const clock = manualClock();
    const evaluator = createAlertEvaluator({ thresholds: { ...thresholds, forMs: 0 }, clock });
    for (let i = 0; i < 19; i++) evaluator.recordHandled(handled('rag-loading', 'success', 1_000));
    evaluator.recordHandled(handled('rag-loading', 'success', 45_000));
    evaluator.recordHandled(handled('cloning', 'success', 100));
    expect(evaluator.evaluate()).toEqual([]); // one slow of 20: p95 (nearest rank) is still fast
    evaluator.recordHandled(handled('rag-loading', 'success', 45_000));
    const changed = evaluator.evaluate();
    expect(changed).toMatchObject([
      { name: 'RepolensProcessingTimeHigh', status: 'firing', labels: { service: 'rag-loading' }, value: 45_000 },
    ]);
    expect(changed[0]?.summary).toBe('95th percentile processing time of rag-loading is above 30 s');
  });

  it('posts firing and resolved alerts to a webhook in Alertmanager format', async () => {
    const received: AlertmanagerPayload[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body) as AlertmanagerPayload);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const post = createAlertWebhook({ url, logger: silentLogger });
      const clock = manualClock();
      const changes: (readonly AlertState[])[] = [];
      const evaluator = createAlertEvaluator({
        thresholds: { ...thresholds, forMs: 0 },
        clock,
        onChange: (changed) => changes.push(changed),
      });
      evaluator.recordLag([lagRow('task-consumers', 0, 2000)]);
      evaluator.evaluate();
      evaluator.recordLag([lagRow('task-consumers', 0, 0)]);
      clock.advance(5_000);
      evaluator.evaluate();
      for (const changed of changes) await post(changed);

      expect(received).toHaveLength(2);
      expect(received[0]).toMatchObject({
        version: '4',
        status: 'firing',
        receiver: 'repolens',
        groupLabels: { alertname: 'RepolensConsumerLagHigh' },
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'RepolensConsumerLagHigh',
              consumergroup: 'task-consumers',
              topic: 'repository.tasks',
            },
            endsAt: '0001-01-01T00:00:00Z',
            annotations: { value: '2000', threshold: '1000' },
          },
        ],
      });
      expect(received[1]).toMatchObject({
        status: 'resolved',
        alerts: [{ status: 'resolved', endsAt: '2026-11-27T12:00:05.000Z' }],
      });
      expect(received[0]?.alerts[0]?.fingerprint).toBe(received[1]?.alerts[0]?.fingerprint);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
