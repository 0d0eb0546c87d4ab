/**
 * The API key guard of mutating endpoints. When a key is configured, a request must present it
 * as `Authorization: Bearer <key>` or `x-api-key: <key>`. Both sides are hashed to a fixed length
 * before `timingSafeEqual`, so the comparison takes the same time whatever the presented value
 * (its length included). The key and the presented value are never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, HttpErrorCodes } from './http-errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** An onRequest hook for the routes that change something; a no-op without a configured key. */
export function apiKeyGuard(apiKey: string | undefined) {
  const expected = apiKey === undefined ? undefined : digest(apiKey);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (expected === undefined) return;
    const presented = presentedKey(request);
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send(
        errorBody(
          HttpErrorCodes.unauthorized,
          presented === undefined
            ? 'this endpoint needs the API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"'
            : 'the API key is not valid',
        ),
      );
  };
}
