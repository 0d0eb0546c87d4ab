/**
 * A small HTTP endpoint for `repolens worker --metrics-port`: `GET /metrics` (Prometheus text
 * format), `GET /api/alerts` (the evaluator's alerts as JSON) and `GET /healthz`. `repolens
 * serve` exposes the same routes on its API server instead.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEvaluator } from './alert-evaluator.js';
import type { RepolensMetrics } from './metrics.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  readonly metrics: RepolensMetrics;
  readonly evaluator: AlertEvaluator;
  readonly port: number;
  readonly host?: string;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      options.metrics.render().then(
        (text) => response.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
        () => response.writeHead(500).end('metrics unavailable\n'),
      );
      return;
    }
    if (path === '/api/alerts') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ alerts: options.evaluator.alerts() }));
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    response
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":"REPOLENS_NOT_FOUND","message":"no such route"}}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
