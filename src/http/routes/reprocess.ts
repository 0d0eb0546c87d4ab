/**
 * `POST /api/repositories/:id/reprocess?from=<stage>`: runs a repository again from a stage.
 * `clone` publishes a new discovery message (a fresh clone and a new run); a later stage
 * publishes a `pending` task of that type with the commit of the newest run that has one in
 * `x-commit` (and its run id), which the stage's service handles like its usual trigger
 * (DESIGN.md §1). The API key guard applies: this changes what the pipeline does.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Headers } from '../../contracts/headers.js';
import { TaskTypes, type TaskType } from '../../contracts/task-message.js';
import { Topics } from '../../contracts/topics.js';
import { encodeMessage } from '../../contracts/validation.js';
import { RepolensError } from '../../domain/errors.js';
import type { HttpDeps } from '../http-deps.js';
import { HttpErrorCodes, notFound } from '../http-errors.js';
import { repositoryPath } from '../repository-id.js';
import { errorResponses, repositoryIdParams } from '../schemas.js';
import type { RouteContext } from './route-context.js';

export function reprocessRoutes(app: FastifyInstance, deps: HttpDeps, context: RouteContext): void {
  app.post<{ Params: { id: string }; Querystring: { from: TaskType; priority: number } }>(
    '/api/repositories/:id/reprocess',
    {
      onRequest: context.guard,
      schema: {
        summary: 'Run a known repository again from a stage',
        description:
          '`from=clone` publishes a discovery message (new run); any later stage publishes a `pending` task ' +
          'with the last known commit in the `x-commit` header. 409 when no run recorded a commit yet.',
        tags: ['repositories'],
        security: context.security,
        params: repositoryIdParams,
        querystring: {
          type: 'object',
          required: ['from'],
          additionalProperties: false,
          properties: {
            from: { type: 'string', enum: [...TaskTypes] },
            priority: { type: 'integer', minimum: 1, maximum: 5, default: 3 },
          },
        },
        response: {
          202: {
            type: 'object',
            properties: {
              repository_url: { type: 'string' },
              from: { type: 'string', enum: [...TaskTypes] },
              published: { type: 'string', enum: ['discovery', 'task'] },
              task_id: { type: ['string', 'null'] },
              commit: { type: ['string', 'null'] },
              location: { type: 'string' },
            },
          },
          ...errorResponses(400, 401, 404, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const url = request.params.id;
      const { from, priority } = request.query;
      const detail = await deps.store.getRepository(url, { historyLimit: 0 });
      if (detail === undefined)
        throw notFound(`no repository ${url} is known: discover it first (POST /api/repositories)`);
      const now = new Date(deps.clock.now()).toISOString();
      const location = repositoryPath(url);
      reply.header('location', location);
      if (from === 'clone') {
        await deps.bus.produce([
          {
            topic: Topics.discovery,
            key: url,
            headers: { [Headers.runId]: randomUUID() },
            value: encodeMessage(Topics.discovery, {
              repository_url: url,
              discovery_timestamp: now,
              priority,
              source: 'manual',
            }),
          },
        ]);
        return reply
          .code(202)
          .send({ repository_url: url, from, published: 'discovery', task_id: null, commit: null, location });
      }
      const run = [...detail.runs].reverse().find((candidate) => candidate.commit !== null);
      if (run?.commit === undefined || run.commit === null) {
        throw new RepolensError(
          HttpErrorCodes.conflict,
          `${url} has no cloned commit yet, so ${from} cannot run; reprocess from clone instead`,
        );
      }
      const taskId = randomUUID();
      await deps.bus.produce([
        {
          topic: Topics.tasks,
          key: url,
          headers: { [Headers.commit]: run.commit, ...(run.runId === null ? {} : { [Headers.runId]: run.runId }) },
          value: encodeMessage(Topics.tasks, {
            task_id: taskId,
            repository_url: url,
            task_type: from,
            created_at: now,
            status: 'pending',
            metadata: { priority, retry_count: 0 },
          }),
        },
      ]);
      return reply
        .code(202)
        .send({ repository_url: url, from, published: 'task', task_id: taskId, commit: run.commit, location });
    },
  );
}
