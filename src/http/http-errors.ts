/**
 * Every API error is JSON `{ "error": { "code": "REPOLENS_…", "message": "…" } }`. The HTTP status
 * comes from the error's stable code (never its text); fastify's own errors (validation, body
 * parsing, unknown routes) are turned into the same shape. Messages of unexpected errors are not
 * echoed: they may carry paths or connection details, so the client gets a generic text and the
 * log gets the error.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, isRepolensError, RepolensError, type ErrorCode } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';

export const HttpErrorCodes = {
  unauthorized: 'REPOLENS_UNAUTHORIZED',
  notFound: 'REPOLENS_NOT_FOUND',
  conflict: 'REPOLENS_CONFLICT',
  notReady: 'REPOLENS_NOT_READY',
} as const;

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** The status a RepolensError code maps to. Unknown codes: 503 when retryable, else 500. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ErrorCodes.inputInvalid]: 400,
  [ErrorCodes.contractInvalid]: 400,
  REPOLENS_INVALID_REPOSITORY_URL: 400,
  [HttpErrorCodes.unauthorized]: 401,
  [HttpErrorCodes.notFound]: 404,
  [HttpErrorCodes.conflict]: 409,
  [ErrorCodes.unavailable]: 503,
  [ErrorCodes.timeout]: 503,
  [HttpErrorCodes.notReady]: 503,
  // The database was closed under the server (shutdown in progress).
  REPOLENS_STORE_CLOSED: 503,
};

export function statusForError(error: RepolensError): number {
  return STATUS_BY_CODE[error.code] ?? (error.retryable ? 503 : 500);
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function notFound(message: string): RepolensError {
  return new RepolensError(HttpErrorCodes.notFound, message);
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isRepolensError(error)) {
      const status = statusForError(error);
      if (status >= 500)
        logger.error({ err: error, code: error.code, route: request.routeOptions.url }, 'request failed');
      const message = status === 500 ? 'internal error' : error.message;
      return reply.code(status).send(errorBody(status === 500 ? ErrorCodes.internal : error.code, message));
    }
    if (isFastifyError(error) && error.validation !== undefined) {
      // e.g. "body must have required property 'url'", "querystring/limit must be <= 200".
      return reply.code(400).send(errorBody(ErrorCodes.inputInvalid, error.message));
    }
    if (isFastifyError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Body parsing, media type, body size: the client's fault, and fastify's text says what.
      return reply.code(error.statusCode).send(errorBody(ErrorCodes.inputInvalid, error.message));
    }
    logger.error({ err: error, route: request.routeOptions.url }, 'request failed');
    return reply.code(500).send(errorBody(ErrorCodes.internal, 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      // The path is the client's own input: echoed bounded, and only inside JSON.
      .send(
        errorBody(
          HttpErrorCodes.notFound,
          `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`,
        ),
      ),
  );
}
