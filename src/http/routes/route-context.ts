/** What every route module shares besides the deps: the API key guard and its OpenAPI note. */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface RouteContext {
  /** onRequest hook of mutating routes: 401 without the configured API key. */
  readonly guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** OpenAPI `security` of mutating routes (empty when no key is configured). */
  readonly security: readonly Record<string, readonly string[]>[];
}
