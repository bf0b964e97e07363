import { join, resolve } from 'node:path';
import { ConfigError } from '@spottune/errors';
import { EnvSchema, type ParsedEnv } from './env-schema.ts';

export type Scope = 'read' | 'write' | 'admin';
const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

export interface ApiToken {
  token: string;
  scopes: Scope[];
}

export type DatabaseConfig = { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string };
export type StorageConfig =
  | {
      kind: 's3';
      bucket: string;
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      prefix: string;
    }
  | { kind: 'local'; dir: string };

/** The typed, nested configuration every app receives from `main`. */
export interface Config {
  home: string;
  database: DatabaseConfig;
  redis: { url: string; prefix: string } | null;
  storage: StorageConfig;
  api: { host: string; port: number; bodyLimit: number; tokens: ApiToken[] };
  log: { level: ParsedEnv['LOG_LEVEL']; pretty: boolean | undefined };
  compute: {
    backend: ParsedEnv['SPOTTUNE_BACKEND'];
    nativeBlas: boolean;
    blasThreads: number;
    blasCoreType: string;
  };
  cache: { dir: string };
  worker: { concurrency: number; lockDurationMs: number };
  /** The API as a client (the CLI's experiment commands) reaches it. */
  client: { apiUrl: string; apiToken: string | undefined };
}

/**
 * Parse the environment once. On failure throws a single ConfigError whose message names every
 * offending variable (not just the first), so a deployment is fixed in one round trip.
 */
export function parseEnv(source: Record<string, string | undefined> = process.env): Config {
  const result = EnvSchema.safeParse(source);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const env = result.success ? result.data : undefined;
  let tokens: ApiToken[] = [];
  if (env?.SPOTTUNE_API_TOKENS !== undefined) {
    const parsed = parseTokens(env.SPOTTUNE_API_TOKENS);
    if (typeof parsed === 'string') problems.push(`SPOTTUNE_API_TOKENS: ${parsed}`);
    else tokens = parsed;
  }
  if (
    env?.S3_BUCKET !== undefined &&
    (env.S3_ACCESS_KEY_ID === undefined) !== (env.S3_SECRET_ACCESS_KEY === undefined)
  ) {
    problems.push('S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (env?.DATABASE_URL !== undefined && env.SPOTTUNE_PGLITE_DIR !== undefined) {
    problems.push('DATABASE_URL / SPOTTUNE_PGLITE_DIR: set one, not both');
  }
  if (problems.length > 0 || env === undefined) {
    throw new ConfigError(`invalid environment:\n  - ${problems.join('\n  - ')}`, {
      details: { variables: problems.map((p) => p.split(':')[0]) },
    });
  }
  const home = resolve(env.SPOTTUNE_HOME);
  return {
    home,
    database:
      env.DATABASE_URL !== undefined
        ? { kind: 'postgres', url: env.DATABASE_URL }
        : { kind: 'pglite', dir: resolve(env.SPOTTUNE_PGLITE_DIR ?? join(home, 'pglite')) },
    redis: env.REDIS_URL !== undefined ? { url: env.REDIS_URL, prefix: env.QUEUE_PREFIX } : null,
    storage:
      env.S3_BUCKET !== undefined
        ? {
            kind: 's3',
            bucket: env.S3_BUCKET,
            region: env.S3_REGION,
            endpoint: env.S3_ENDPOINT,
            forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
            accessKeyId: env.S3_ACCESS_KEY_ID,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY,
            prefix: env.S3_PREFIX,
          }
        : { kind: 'local', dir: resolve(env.SPOTTUNE_STORAGE_DIR ?? join(home, 'objects')) },
    api: { host: env.HOST, port: env.PORT, bodyLimit: env.API_BODY_LIMIT, tokens },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    compute: {
      backend: env.SPOTTUNE_BACKEND,
      nativeBlas: env.SPOTTUNE_NATIVE_BLAS,
      blasThreads: env.SPOTTUNE_BLAS_THREADS,
      blasCoreType: env.SPOTTUNE_BLAS_CORETYPE,
    },
    cache: { dir: resolve(env.SPOTTUNE_CACHE_DIR ?? join(home, 'cache')) },
    worker: { concurrency: env.WORKER_CONCURRENCY, lockDurationMs: env.WORKER_LOCK_DURATION_MS },
    client: { apiUrl: env.SPOTTUNE_API_URL ?? 'http://127.0.0.1:3000', apiToken: env.SPOTTUNE_API_TOKEN },
  };
}

function parseTokens(value: string): ApiToken[] | string {
  const tokens: ApiToken[] = [];
  for (const entry of value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [token, scopeList] = entry.split(':', 2);
    if (token === undefined || token.length < 8) return 'each token must be at least 8 characters';
    const scopes = (scopeList ?? 'read').split(',').map((s) => s.trim());
    const bad = scopes.find((s) => !SCOPES.includes(s as Scope));
    if (bad !== undefined) return `unknown scope "${bad}" (expected ${SCOPES.join(', ')})`;
    tokens.push({ token, scopes: scopes as Scope[] });
  }
  return tokens;
}
