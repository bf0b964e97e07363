import { z } from 'zod';

/**
 * Every environment variable spottune reads, in one place. Parsed once in each app's `main`
 * with {@link parseEnv}; nothing reads `process.env` anywhere else.
 */

/** Strict boolean: only true/false/1/0 (a typo must not silently mean false). */
const BoolEnv = z
  .enum(['true', 'false', '1', '0'], { message: 'expected one of true, false, 1, 0' })
  .transform((v) => v === 'true' || v === '1');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const EnvSchema = z.object({
  /** Postgres connection string. When unset, the embedded PGlite database in SPOTTUNE_PGLITE_DIR is used. */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  /** Directory of the embedded PGlite database. @defaultValue `${SPOTTUNE_HOME}/pglite` */
  SPOTTUNE_PGLITE_DIR: optionalString,
  /** Root for embedded state (database, local storage, cache). @defaultValue `.spottune` */
  SPOTTUNE_HOME: z.string().default('.spottune'),
  /** Redis for BullMQ. When unset, jobs run in-process (the embedded runner). */
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  /** BullMQ key prefix, so several deployments (or tests) can share one Redis. @defaultValue `spottune` */
  QUEUE_PREFIX: z.string().min(1).default('spottune'),
  /** S3-compatible object storage. When S3_BUCKET is unset, SPOTTUNE_STORAGE_DIR is used. */
  S3_ENDPOINT: optionalString.pipe(z.string().url().optional()),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  /** Path-style URLs (MinIO, fauxqs). @defaultValue true when S3_ENDPOINT is set */
  S3_FORCE_PATH_STYLE: BoolEnv.optional(),
  /** Key prefix inside the bucket. */
  S3_PREFIX: z.string().default(''),
  /** Local object-store directory. @defaultValue `${SPOTTUNE_HOME}/objects` */
  SPOTTUNE_STORAGE_DIR: optionalString,
  /** API bearer tokens: `token:scope,scope;token2:scope`. Scopes: read, write, admin. */
  SPOTTUNE_API_TOKENS: optionalString,
  /** Where `spottune experiment …` sends requests (the CLI's --api flag overrides). @defaultValue http://127.0.0.1:3000 */
  SPOTTUNE_API_URL: optionalString.pipe(z.string().url().optional()),
  /** Bearer token `spottune experiment …` sends (the CLI's --token flag overrides). */
  SPOTTUNE_API_TOKEN: optionalString,
  /** API listen address. */
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Largest accepted request body in bytes. @defaultValue 1 MiB */
  API_BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  /** pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Force pretty logs on (true) or off (false); default: pretty only on a TTY. */
  LOG_PRETTY: BoolEnv.optional(),
  /** tfjs backend: auto picks tensorflow (tfjs-node[-gpu]) when installed, else wasm. */
  SPOTTUNE_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /**
   * On wasm/cpu, run the conv3d matrix products and BN loops in the native OpenBLAS addon when it is
   * built (scripts/build-native.mjs); false forces tfjs's own kernels. @defaultValue true
   */
  SPOTTUNE_NATIVE_BLAS: BoolEnv.default('true'),
  /** OpenBLAS threads per worker process for the native addon. @defaultValue 1 (scale by processes) */
  SPOTTUNE_BLAS_THREADS: z.coerce.number().int().min(1).max(256).default(1),
  /**
   * OpenBLAS kernel family for the native addon: `auto` detects this CPU (AVX-512 kernels where there
   * are, fastest); a name such as `Haswell` (AVX2) pins it, so that workers on different CPU
   * generations give bit-identical results. Any inherited OPENBLAS_CORETYPE is overridden.
   * @defaultValue auto
   */
  SPOTTUNE_BLAS_CORETYPE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'expected auto or an OpenBLAS core name such as Haswell')
    .default('auto'),
  /** Local cache of volumes pulled from object storage (sha256-verified). @defaultValue `${SPOTTUNE_HOME}/cache` */
  SPOTTUNE_CACHE_DIR: optionalString,
  /** Jobs processed at once per worker process; 1 per GPU. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * BullMQ lock duration. Training runs in a child process so the lock is renewed every
   * lockDuration/2 regardless of load; this only bounds how long a dead pod's job waits before another
   * worker takes it over. @defaultValue 300000 (5 min)
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(5_000).default(300_000),
});

export type RawEnv = z.input<typeof EnvSchema>;
export type ParsedEnv = z.output<typeof EnvSchema>;

/** Names of the variables the schema knows: docker-compose and k8s manifests are checked against it. */
export const KNOWN_ENV_VARS: readonly string[] = Object.keys(EnvSchema.shape);
