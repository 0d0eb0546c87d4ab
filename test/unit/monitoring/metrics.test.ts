import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/monitoring/metrics.js';

describe('metrics: Kafka requests', () => {
  it('counts requests per API in repolens_kafka_requests_total', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.kafkaRequest('Produce');
    metrics.kafkaRequest('Produce');
    metrics.kafkaRequest('Fetch');
    const text = await metrics.render();
    expect(text).toContain('# TYPE repolens_kafka_requests_total counter');
    expect(text).toContain('repolens_kafka_requests_total{api="Produce"} 2');
    expect(text).toContain('repolens_kafka_requests_total{api="Fetch"} 1');
  });
});
