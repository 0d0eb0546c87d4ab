/**
 * The HTTP API of `repolens serve`: `buildApp(deps)` returns a configured fastify instance and
 * never listens (fastify's build/listen split), so tests call `inject` on real parts and the
 * command decides the port. Routes are declared inside a plugin registered after
 * @fastify/swagger, whose onRoute hook must see them to put them in the OpenAPI document.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { apiKeyGuard } from './api-key.js';
import type { HttpDeps } from './http-deps.js';
import { installErrorHandlers } from './http-errors.js';
import { dlqRoutes } from './routes/dlq.js';
import { healthRoutes } from './routes/health.js';
import { reportRoutes } from './routes/report.js';
import { reprocessRoutes } from './routes/reprocess.js';
import { repositoryRoutes } from './routes/repositories.js';
import type { RouteContext } from './routes/route-context.js';
import { searchRoutes } from './routes/search.js';
import { SHARED_SCHEMAS } from './schemas.js';

/** Largest request body: a discovery request is a URL and two flags. */
const BODY_LIMIT_BYTES = 64 * 1024;

export const OPENAPI_PATH = '/api/openapi.json';

export function buildApp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    // Requests are not logged by fastify: its request log would carry headers (the API key);
    // errors are logged by the error handler through the injected logger.
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Coercion is what lets `?limit=10` validate as an integer; no other type juggling.
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false } },
    // `:id` holds a URL-encoded URL, longer than the default 100 characters.
    routerOptions: { maxParamLength: 2048 },
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandlers(app, deps.logger);

  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'repolens API',
        version: deps.version,
        description:
          'Discover repositories, follow their processing, read their reports, search their code and manage the DLQ. ' +
          'A repository `:id` is its normalized URL, URL-encoded. Errors are `{ "error": { "code", "message" } }`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The API key (when one is configured)' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });

  const context: RouteContext = {
    guard: apiKeyGuard(deps.apiKey),
    security: deps.apiKey === undefined ? [] : [{ bearer: [] }, { apiKey: [] }],
  };
  void app.register(async (api) => {
    healthRoutes(api, deps);
    repositoryRoutes(api, deps, context);
    reportRoutes(api, deps);
    reprocessRoutes(api, deps, context);
    searchRoutes(api, deps);
    dlqRoutes(api, deps, context);
    api.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  });
  return app;
}
