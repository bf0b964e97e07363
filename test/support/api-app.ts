import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticCohort, ingestCohort } from '@spottune/cohort';
import { parseEnv, type Config } from '@spottune/config';
import { createBullmqProducer, type ExperimentRequestInput, type QueueProducer } from '@spottune/jobs';
import { createLogger } from '@spottune/logger';
import { createObjectStore, type ObjectStore } from '@spottune/storage';
import { buildApp, type ApiApp } from '../../apps/api/src/app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startS3TestServer, type S3TestServer } from './s3-server.ts';
import { testRedis, type TestRedis } from './redis.ts';

/**
 * The API for integration tests: a fresh test database, its own Redis prefix, an object store, the
 * BullMQ producer and the app (not listening: `inject`, or `app.listen` for a browser). Storage is a
 * directory under `work`, or with `s3: true` a fresh bucket on the fake S3 server; SPOTTUNE_HOME (the
 * cache) is under `work` too.
 *
 *   const api = await startTestApi('api', { env: { SPOTTUNE_API_TOKENS: `${TOKEN}:read` } });
 *   // api.app.inject(…), api.db.db.prisma, api.redis.jobCounts(…), api.store, api.config
 *   after(() => api?.close());
 */
export interface TestApi {
  /** The environment the config was parsed from (for processes spawned against the same service). */
  env: Record<string, string>;
  config: Config;
  db: TestDatabase;
  redis: TestRedis;
  store: ObjectStore;
  queue: QueueProducer;
  app: ApiApp;
  /** A temporary directory for the test's files (removed by `close`). */
  work: string;
  /** Closes the app, the queue and the store; drops the database, the Redis keys and `work`. */
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** More environment (tokens, limits, log level), over the database, Redis and storage settings. */
  env?: Record<string, string>;
  /** Storage in an S3 bucket (fauxqs) instead of a local directory. */
  s3?: boolean;
}

export async function startTestApi(name: string, options: TestApiOptions = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  const redis = testRedis(name);
  const s3: S3TestServer | undefined = options.s3 === true ? await startS3TestServer() : undefined;
  const work = await mkdtemp(join(tmpdir(), `spottune-${name}-`));
  const storage: Record<string, string> =
    s3 === undefined
      ? { SPOTTUNE_STORAGE_DIR: join(work, 'objects') }
      : {
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: `spottune-${name}-${process.pid}-${randomBytes(3).toString('hex')}`,
          S3_ACCESS_KEY_ID: 'test-access-key',
          S3_SECRET_ACCESS_KEY: 'test-secret-key',
          S3_FORCE_PATH_STYLE: 'true',
        };
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    ...storage,
    SPOTTUNE_HOME: join(work, 'home'),
    ...options.env,
  };
  const config = parseEnv(env);
  const store = createObjectStore(config.storage);
  await store.ensureReady();
  const queue = createBullmqProducer(config.redis!);
  const app = await buildApp({ config, logger: createLogger({ level: 'silent' }), db: db.db, store, queue });
  return {
    env,
    config,
    db,
    redis,
    store,
    queue,
    app,
    work,
    async close() {
      await app.close();
      await queue.close();
      await store.close();
      await redis.cleanup();
      await db.drop();
      await s3?.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/**
 * A synthetic cohort (all modalities present) generated under `api.work` and ingested straight into
 * the test database and store as `name`. Returns the shape of its preprocessed volumes, the
 * `training.inputSize` of experiments on it.
 */
export async function ingestSyntheticCohort(
  api: Pick<TestApi, 'db' | 'store' | 'work'>,
  name: string,
  cohort: { patients: number; seed: number; size: [number, number, number] },
): Promise<number[]> {
  const cohortDir = join(api.work, 'cohort');
  await generateSyntheticCohort({ ...cohort, outDir: cohortDir, effect: 2, missingDsc: 0, missingDti: 0 });
  await ingestCohort({
    source: cohortDir,
    name,
    db: api.db.db,
    store: api.store,
    logger: createLogger({ level: 'silent' }),
  });
  const volume = await api.db.db.prisma.volume.findFirstOrThrow({
    where: { status: 'READY', modality: 'T1' },
  });
  return volume.shape;
}

/**
 * A small experiment on a cohort of `ingestSyntheticCohort`: ResNet-10 of widths 4 on T1, 2 folds,
 * batches of 4, flips only, one evaluation sample. `training` adds to (or overrides) those settings.
 */
export function smallExperiment(
  cohort: string,
  inputSize: number[],
  training: NonNullable<ExperimentRequestInput['training']>,
): ExperimentRequestInput {
  return {
    name: cohort,
    cohort,
    networks: ['resnet'],
    modalities: ['T1'],
    folds: 2,
    training: {
      batchSize: 4,
      depth: 10,
      widths: [4, 4, 4, 4],
      inputSize,
      augmentation: { flip: true, rotate: false, noise: false, deform: false },
      ...training,
    },
    evalSamples: 1,
  };
}
