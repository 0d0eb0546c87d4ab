/**
 * `GET /api/repositories/:id/report?format=json|md|html[&commit=<sha>]`: the stored analysis
 * report (the newest, or that commit's) in the rendering asked for. The renderings were made when
 * the report was built, so this only reads. The HTML is served with a strict Content-Security-
 * Policy: it shows hostile repository content, and the renderer's escaping should not be the
 * only wall between that content and the browser.
 */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps.js';
import { notFound } from '../http-errors.js';
import { errorResponses, repositoryIdParams } from '../schemas.js';

const FORMATS = ['json', 'md', 'html'] as const;
type Format = (typeof FORMATS)[number];

const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function reportRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string }; Querystring: { format: Format; commit?: string } }>(
    '/api/repositories/:id/report',
    {
      schema: {
        summary: "A repository's analysis report as JSON, Markdown or HTML",
        tags: ['reports'],
        params: repositoryIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: [...FORMATS], default: 'json' },
            commit: {
              type: 'string',
              pattern: '^[0-9a-f]{7,64}$',
              description: 'That commit’s report (default: newest)',
            },
          },
        },
        response: {
          200: {
            description:
              'application/json: the report document (docs/schemas/report.schema.json); text/markdown; text/html',
            type: 'object',
            additionalProperties: true,
          },
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const url = request.params.id;
      const { format, commit } = request.query;
      const stored = await deps.reports.get(url, commit);
      if (stored === undefined) {
        throw notFound(commit === undefined ? `no report for ${url} yet` : `no report for ${url} at commit ${commit}`);
      }
      reply.header('x-commit', stored.report.identity.commit);
      if (format === 'md') {
        return reply.type('text/markdown; charset=utf-8').serializer(String).send(stored.markdown);
      }
      if (format === 'html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', HTML_CSP)
          .header('x-content-type-options', 'nosniff')
          .serializer(String)
          .send(stored.html);
      }
      // The report as stored: bypass the response schema, which only documents it.
      return reply
        .type('application/json; charset=utf-8')
        .serializer((payload) => JSON.stringify(payload))
        .send(stored.report);
    },
  );
}
