/**
 * `/api/repositories`: manual discovery (POST), the list with status and progress, and one
 * repository's detail (runs, history, recent tasks, report links). A submitted URL is
 * normalized first, so a bad one is a 400 naming what is wrong before anything is published.
 */
import type { FastifyInstance } from 'fastify';
import { normalizeRepositoryUrl } from '../../domain/repository-url.js';
import { RepositoryStates, type RepositoryState } from '../../ports/store.js';
import { detailDto, summaryDto, type TaskDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { notFound } from '../http-errors.js';
import { repositoryPath } from '../repository-id.js';
import { errorResponses, repositoryIdParams } from '../schemas.js';
import type { RouteContext } from './route-context.js';

interface DiscoverBody {
  readonly url: string;
  readonly priority?: number;
  readonly force?: boolean;
}

interface ListQuery {
  readonly status?: RepositoryState;
  readonly search?: string;
  readonly limit: number;
  readonly offset: number;
}

const discoverReply = {
  type: 'object',
  properties: {
    repository_url: { type: 'string', description: 'The normalized URL' },
    outcome: { type: 'string', enum: ['published', 'skipped'] },
    reason: { type: 'string', description: 'Why a discovery was skipped (deduplicated)' },
    location: { type: 'string' },
  },
} as const;

export function repositoryRoutes(app: FastifyInstance, deps: HttpDeps, context: RouteContext): void {
  app.post<{ Body: DiscoverBody }>(
    '/api/repositories',
    {
      onRequest: context.guard,
      schema: {
        summary: 'Discover a repository manually',
        description:
          'Normalizes the URL and publishes a discovery message (source `manual`). 202 when published, ' +
          '200 when deduplicated (discovered recently; `force` publishes anyway). The Location names the repository.',
        tags: ['repositories'],
        security: context.security,
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 2048 },
            priority: { type: 'integer', minimum: 1, maximum: 5, default: 3 },
            force: { type: 'boolean', default: false },
          },
        },
        response: { 202: discoverReply, 200: discoverReply, ...errorResponses(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const { url } = normalizeRepositoryUrl(request.body.url, {
        allowLocal: deps.allowLocal ?? false,
        ...(deps.cwd === undefined ? {} : { cwd: deps.cwd }),
      });
      const result = await deps.discover({
        url,
        priority: request.body.priority ?? 3,
        force: request.body.force ?? false,
      });
      if (result.outcome === 'rejected') {
        return reply.code(400).send({ error: { code: 'REPOLENS_INVALID_REPOSITORY_URL', message: result.reason } });
      }
      const location = repositoryPath(url);
      reply.header('location', location);
      if (result.outcome === 'skipped') {
        return reply.code(200).send({ repository_url: url, outcome: 'skipped', reason: result.reason, location });
      }
      return reply.code(202).send({ repository_url: url, outcome: 'published', location });
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/repositories',
    {
      schema: {
        summary: 'List repositories with their state, progress and last error',
        tags: ['repositories'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...RepositoryStates] },
            search: { type: 'string', minLength: 1, maxLength: 200, description: 'Substring of the URL' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              repositories: { type: 'array', items: { $ref: 'RepositorySummary#' } },
            },
          },
          ...errorResponses(400, 503),
        },
      },
    },
    async (request) => {
      const { status, search, limit, offset } = request.query;
      const page = await deps.store.listRepositories({
        ...(status === undefined ? {} : { status }),
        ...(search === undefined ? {} : { search }),
        limit,
        offset,
      });
      return { total: page.total, limit, offset, repositories: page.rows.map(summaryDto) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { history_limit: number } }>(
    '/api/repositories/:id',
    {
      schema: {
        summary: 'One repository: runs, status history, recent tasks and report links',
        tags: ['repositories'],
        params: repositoryIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { history_limit: { type: 'integer', minimum: 0, maximum: 10_000, default: 200 } },
        },
        response: { 200: { $ref: 'RepositoryDetail#' }, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const url = request.params.id;
      const detail = await deps.store.getRepository(url, { historyLimit: request.query.history_limit });
      if (detail === undefined) throw notFound(`no repository ${url} is known (nothing recorded for it yet)`);
      const [reports, tasks] = await Promise.all([deps.reports.list(url), recentTasks(deps, url)]);
      return detailDto(detail, reports, tasks);
    },
  );
}

/** The task journal is a nicety: a bus hiccup must not fail the whole detail. */
async function recentTasks(deps: HttpDeps, url: string): Promise<TaskDto[]> {
  if (deps.tasks === undefined) return [];
  try {
    return await deps.tasks(url);
  } catch (error) {
    deps.logger.warn({ err: error }, 'reading the task journal failed; the detail shows no tasks');
    return [];
  }
}
