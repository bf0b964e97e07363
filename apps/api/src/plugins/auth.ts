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

/** Cookie that carries the token for browser pages (set by GET /login). */
export const SESSION_COOKIE = 'spottune_token';

function sessionToken(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return undefined;
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
      // Browsers (dashboard, report) send the token in the session cookie set by GET /login.
      const presented = match?.[1] ?? sessionToken(request.headers.cookie);
      if (presented === undefined) throw new AuthError('unauthenticated', 'missing bearer token');
      const given = Buffer.from(presented);
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
