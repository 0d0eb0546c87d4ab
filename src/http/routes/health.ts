/**
 * Probes: `/healthz` says the process serves requests (liveness: no dependency is touched, so a
 * database outage never gets the server restarted in a loop); `/readyz` runs the dependency
 * checks and is 503 while any fails, so a load balancer stops sending traffic.
 */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps.js';
import { HttpErrorCodes } from '../http-errors.js';

const checks = {
  type: 'array',
  items: {
    type: 'object',
    properties: { name: { type: 'string' }, ok: { type: 'boolean' }, error: { type: 'string' } },
  },
} as const;

export function healthRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        tags: ['health'],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, version: { type: 'string' } } },
        },
      },
    },
    async () => ({ status: 'ok', version: deps.version }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the database answers and the bus is reachable',
        tags: ['health'],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, checks } },
          503: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              checks,
              error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      const results = await deps.readiness();
      const failing = results.filter((check) => !check.ok);
      if (failing.length === 0) return { status: 'ready', checks: results };
      return reply.code(503).send({
        status: 'not_ready',
        checks: results,
        error: {
          code: HttpErrorCodes.notReady,
          message: failing.map((check) => `${check.name}: ${check.error ?? 'not ready'}`).join('; '),
        },
      });
    },
  );
}
