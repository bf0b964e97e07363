import {
  AppError,
  AuthError,
  NotFoundError,
  TransientError,
  ValidationError,
  coerceError,
} from '@spottune/errors';

/** A small client of the spottune API for the CLI (fetch; bearer token). */
export interface ApiClient {
  request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
}

class ApiError extends AppError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function createApiClient(baseUrl: string, token: string | undefined): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request(method, path, body, headers = {}) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...(token !== undefined && { authorization: `Bearer ${token}` }),
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      } catch (e) {
        throw new TransientError(`cannot reach the API at ${base}: ${coerceError(e).message}`, { cause: e });
      }
      const text = await res.text();
      const json = text === '' ? undefined : (JSON.parse(text) as unknown);
      if (res.ok) return { status: res.status, body: json as never };
      const err = (json ?? {}) as { code?: string; message?: string; field?: string };
      const message = `${method} ${path}: ${res.status} ${err.message ?? res.statusText}${err.field ? ` (field ${err.field})` : ''}`;
      if (res.status === 400) throw new ValidationError(message, { details: { field: err.field } });
      if (res.status === 401) throw new AuthError('unauthenticated', message);
      if (res.status === 403) throw new AuthError('forbidden', message);
      if (res.status === 404) throw new NotFoundError(message);
      if (res.status >= 500) throw new TransientError(message);
      throw new ApiError(err.code ?? `HTTP_${res.status}`, message);
    },
  };
}
