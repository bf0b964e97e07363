export { parseEnv } from './parse-env.ts';
export type { ApiToken, Config, DatabaseConfig, Scope, StorageConfig } from './parse-env.ts';
export { EnvSchema, KNOWN_ENV_VARS } from './env-schema.ts';
export type { ParsedEnv, RawEnv } from './env-schema.ts';
