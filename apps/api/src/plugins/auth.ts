import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { ApiToken, Scope } from '@spottune/config';
import { AuthError } from '@spottune/errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route needs no token (health, readiness, metrics, docs). */
    auth?: boolean;
  }
  interface FastifyRequest {
    tokenScopes?: Scope[];
  }
}

/**
 * Bearer-token auth on every route except those with `config.auth === false`. 401 without a token or
 * with an unknown one; 403 when the token lacks the scope: `read` for GET/HEAD, `write` otherwise
 * (`admin` implies both).
 */
export const authPlugin = fp<{ tokens: ApiToken[] }>(
  async (app, { tokens }) => {
    const known = tokens.map((t) => ({ ...t, bytes: Buffer.from(t.token) }));
    app.addHook('onRequest', async (request: FastifyRequest) => {
      if (request.routeOptions.config.auth === false) return;
      const header = request.headers.authorization;
      const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
      if (match === null) throw new AuthError('unauthenticated', 'missing bearer token');
      const given = Buffer.from(match[1]!);
      const token = known.find((t) => t.bytes.length === given.length && timingSafeEqual(t.bytes, given));
      if (token === undefined) throw new AuthError('unauthenticated', 'unknown token');
      const needed: Scope = request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
      if (!token.scopes.includes(needed) && !token.scopes.includes('admin')) {
        throw new AuthError('forbidden', `token lacks the "${needed}" scope`);
      }
      request.tokenScopes = token.scopes;
    });
  },
  { name: 'auth' },
);
