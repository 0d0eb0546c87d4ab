/**
 * The dead-letter queue over HTTP, on the same tools as `repolens dlq` (runtime/dlq-tools.ts):
 * list (paged, newest last as the topic orders them), show one record, replay one to its
 * original topic with the retry count reset. Ids are `repository.dlq:<partition>:<offset>`.
 * Purge stays on the CLI: deleting evidence deserves a shell, not a URL.
 */
import type { FastifyInstance } from 'fastify';
import { dlqEntryDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { errorResponses } from '../schemas.js';
import type { RouteContext } from './route-context.js';

const dlqIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^repository\\.dlq:\\d+:\\d+$', description: 'repository.dlq:<partition>:<offset>' },
  },
} as const;

export function dlqRoutes(app: FastifyInstance, deps: HttpDeps, context: RouteContext): void {
  app.get<{ Querystring: { limit: number; offset: number; error_code?: string } }>(
    '/api/dlq',
    {
      schema: {
        summary: 'List dead-lettered messages',
        tags: ['dlq'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
            error_code: { type: 'string', minLength: 1, maxLength: 200, description: 'Only records with this code' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              entries: { type: 'array', items: { $ref: 'DlqEntry#' } },
            },
          },
          ...errorResponses(400, 503),
        },
      },
    },
    async (request) => {
      const { limit, offset, error_code: errorCode } = request.query;
      const all = (await deps.dlq.list()).filter((entry) => errorCode === undefined || entry.errorCode === errorCode);
      return { total: all.length, limit, offset, entries: all.slice(offset, offset + limit).map(dlqEntryDto) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/dlq/:id',
    {
      schema: {
        summary: 'One dead-lettered message with its headers and value',
        tags: ['dlq'],
        params: dlqIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              entry: { $ref: 'DlqEntry#' },
              headers: { type: 'object', additionalProperties: { type: 'string' } },
              value: { type: 'string' },
              value_encoding: { type: 'string', enum: ['utf8', 'base64'] },
              error_stack: { type: 'string' },
            },
          },
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const record = await deps.dlq.show(request.params.id);
      return {
        entry: dlqEntryDto(record),
        headers: record.headers,
        value: record.value,
        value_encoding: record.valueEncoding,
        error_stack: record.errorStack,
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/dlq/:id/replay',
    {
      onRequest: context.guard,
      schema: {
        summary: 'Send a dead-lettered message back to its original topic, retry count reset',
        tags: ['dlq'],
        security: context.security,
        params: dlqIdParams,
        response: {
          202: { type: 'object', properties: { replayed: { type: 'array', items: { type: 'string' } } } },
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const replayed = await deps.dlq.replay({ ids: [request.params.id] });
      return reply.code(202).send({ replayed });
    },
  );
}
