import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { AppError, coerceError } from '@spottune/errors';

/** The error body every failing route returns. */
export interface ErrorBody {
  error: string;
  code: string;
  message: string;
  field?: string;
}

/** Ajv's first error → the dotted field path (`training.epochs`, `networks.0`). */
function fieldOf(error: FastifyError): string | undefined {
  const v = error.validation?.[0];
  if (v === undefined) return undefined;
  const path = v.instancePath.split('/').filter(Boolean);
  const missing = (v.params as { missingProperty?: unknown; additionalProperty?: unknown } | undefined) ?? {};
  if (typeof missing.missingProperty === 'string') path.push(missing.missingProperty);
  if (typeof missing.additionalProperty === 'string') path.push(missing.additionalProperty);
  return path.join('.');
}

/**
 * AppError → its httpStatus with `{ error, code, message, field? }`; Fastify's own 4xx (validation,
 * body too large, bad JSON) keep their status and message; everything else is a 500 with a generic
 * message, the full error logged (fastify/demo's handler).
 */
export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((e: FastifyError, request, reply) => {
      const err = coerceError(e) as FastifyError;
      if (err instanceof AppError) {
        if (err.httpStatus >= 500) request.log.error({ err }, 'request failed');
        const field = typeof err.details?.field === 'string' ? err.details.field : undefined;
        return reply.status(err.httpStatus).send({
          error: err.name,
          code: err.code,
          message: err.httpStatus >= 500 && !err.retryable ? 'internal error' : err.message,
          ...(field !== undefined && { field }),
        } satisfies ErrorBody);
      }
      if (err.validation !== undefined) {
        const field = fieldOf(err);
        return reply.status(400).send({
          error: 'ValidationError',
          code: 'VALIDATION_FAILED',
          message: err.message,
          ...(field !== undefined && { field }),
        } satisfies ErrorBody);
      }
      const status = err.statusCode ?? 500;
      if (status < 500) {
        return reply.status(status).send({
          error: err.name,
          code: err.code ?? 'BAD_REQUEST',
          message: err.message,
        } satisfies ErrorBody);
      }
      request.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: 'InternalError', code: 'INTERNAL', message: 'internal error' });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: 'NotFoundError',
        code: 'NOT_FOUND',
        message: `route ${request.method} ${request.url.split('?')[0]} not found`,
      } satisfies ErrorBody),
    );
  },
  { name: 'error-handler' },
);
