/**
 * `GET /api/search?q=…[&repository=<url>][&k=10]`: the RAG index, answered with exactly the
 * ChunkIndex SearchResponse (`mode`, `results[]`) that `repolens search --json` prints. With an
 * embedder the query is embedded and the search is hybrid; if the embedder fails the answer is
 * lexical and `mode` says so (services/rag/search-service.ts).
 */
import type { FastifyInstance } from 'fastify';
import { searchIndex } from '../../services/rag/search-service.js';
import type { HttpDeps } from '../http-deps.js';
import { errorResponses } from '../schemas.js';

interface SearchQuery {
  readonly q: string;
  readonly repository?: string;
  readonly k: number;
}

export function searchRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: SearchQuery }>(
    '/api/search',
    {
      schema: {
        summary: 'Search the indexed code of every repository, or of one',
        tags: ['search'],
        querystring: {
          type: 'object',
          required: ['q'],
          additionalProperties: false,
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 1000 },
            repository: { type: 'string', minLength: 1, maxLength: 2048, description: 'Normalized repository URL' },
            k: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          },
        },
        response: { 200: { $ref: 'SearchResponse#' }, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => {
      const { q, repository, k } = request.query;
      const abort = new AbortController();
      // A client that went away does not need its embedding. (The request's own 'close' fires
      // once its body is read; the response's fires when the connection goes or the reply ends.)
      reply.raw.once('close', () => abort.abort());
      return searchIndex({
        index: deps.index,
        embedder: deps.embedder,
        query: q,
        k,
        ...(repository === undefined ? {} : { repositoryUrl: repository }),
        signal: abort.signal,
        onFallback: (error) => deps.logger.warn({ err: error }, 'embedding the query failed; searched lexically'),
      });
    },
  );
}
