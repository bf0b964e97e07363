import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MigrationError, defaultMigrationsDir, migrate, readMigrations } from '@spottune/db';
import { createEmptyTestDatabase } from '../support/database.ts';

type Empty = Awaited<ReturnType<typeof createEmptyTestDatabase>>;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function emptyDb(): Promise<Empty> {
  const db = await createEmptyTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

let files: Awaited<ReturnType<typeof readMigrations>>;
before(async () => {
  files = await readMigrations(defaultMigrationsDir());
});

test('migrates an empty database, records each migration as Prisma does, and a second run changes nothing', async () => {
  const { url, config } = await emptyDb();
  const first = await migrate(config);
  assert.deepEqual(
    first.applied,
    files.map((f) => f.name),
  );
  assert.deepEqual(first.alreadyApplied, []);
  const second = await migrate(config);
  assert.deepEqual(second.applied, []);
  assert.deepEqual(second.alreadyApplied, first.applied);

  const recorded = await rows<{ migration_name: string; checksum: string; finished: boolean; steps: number }>(
    url,
    `SELECT migration_name, checksum, finished_at IS NOT NULL AND rolled_back_at IS NULL AS finished,
            applied_steps_count AS steps FROM _prisma_migrations ORDER BY migration_name`,
  );
  assert.deepEqual(
    recorded,
    files.map((f) => ({ migration_name: f.name, checksum: f.checksum, finished: true, steps: 1 })),
  );
  // Checksums are sha256 of the file bytes: cross-check the first against sha256sum.
  const first0 = files[0];
  assert.ok(first0 !== undefined);
  const sum = execFileSync('sha256sum', [join(defaultMigrationsDir(), first0.name, 'migration.sql')], {
    encoding: 'utf8',
  }).split(' ')[0];
  assert.equal(first0.checksum, sum);

  // Prisma's exact bookkeeping columns and types.
  const columns = await rows<{ column_name: string; data_type: string; len: number | null }>(
    url,
    `SELECT column_name, data_type, character_maximum_length AS len FROM information_schema.columns
     WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
  );
  assert.deepEqual(columns, [
    { column_name: 'id', data_type: 'character varying', len: 36 },
    { column_name: 'checksum', data_type: 'character varying', len: 64 },
    { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null },
    { column_name: 'migration_name', data_type: 'character varying', len: 255 },
    { column_name: 'logs', data_type: 'text', len: null },
    { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null },
    { column_name: 'started_at', data_type: 'timestamp with time zone', len: null },
    { column_name: 'applied_steps_count', data_type: 'integer', len: null },
  ]);
});

test('psql lists every table and view of the schema', async () => {
  const { url, config } = await emptyDb();
  await migrate(config);
  const psql = (meta: string): string[] =>
    execFileSync('psql', [url, '-Atc', meta], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split('|')[1] ?? '');
  const tables = psql('\\dt');
  for (const t of [
    '_prisma_migrations',
    'cohort',
    'patient',
    'volume',
    'experiment',
    'split',
    'trial',
    'epoch_metric',
    'checkpoint',
    'prediction',
    'ensemble',
    'ensemble_metric',
    'statistical_test',
    'radiomics_feature',
  ]) {
    assert.ok(tables.includes(t), `table ${t} in ${tables.join(',')}`);
  }
  assert.deepEqual(psql('\\dv').sort(), [
    'v_best_ensemble_per_network',
    'v_ensemble_results',
    'v_epoch_curves',
    'v_patient_predictions',
    'v_statistical_tests',
    'v_trial_status',
  ]);
});

test('an applied migration whose file was edited is refused with MIGRATION_CHECKSUM_MISMATCH', async () => {
  const { config } = await emptyDb();
  const dir = await mkdtemp(join(tmpdir(), 'spottune-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(defaultMigrationsDir(), dir, { recursive: true });
  await migrate(config, { migrationsDir: dir });
  const first = files[0];
  assert.ok(first !== undefined);
  await appendFile(join(dir, first.name, 'migration.sql'), '\n-- edited later\n');
  await assert.rejects(migrate(config, { migrationsDir: dir }), (e: unknown) => {
    assert.ok(e instanceof MigrationError);
    assert.equal(e.code, 'MIGRATION_CHECKSUM_MISMATCH');
    assert.match(e.message, new RegExp(first.name));
    return true;
  });
});

test('a failing migration is rolled back and not recorded; later migrations apply after the fix', async () => {
  const { url, config } = await emptyDb();
  const dir = await mkdtemp(join(tmpdir(), 'spottune-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(defaultMigrationsDir(), dir, { recursive: true });
  const broken = join(dir, '29990101000000_broken');
  await cp(join(dir, files[0]?.name ?? ''), broken, { recursive: true });
  await writeFile(
    join(broken, 'migration.sql'),
    'CREATE TABLE half_done (id int);\nSELECT nope FROM nowhere;\n',
  );
  await assert.rejects(migrate(config, { migrationsDir: dir }), (e: unknown) => {
    assert.ok(e instanceof MigrationError);
    assert.equal(e.code, 'MIGRATION_FAILED');
    return true;
  });
  const leftovers = await rows(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
  assert.equal(leftovers.length, 0, 'the failed migration left nothing behind');
  const recorded = await rows<{ migration_name: string }>(
    url,
    'SELECT migration_name FROM _prisma_migrations',
  );
  assert.equal(recorded.length, files.length, 'the good ones were recorded, the broken one was not');
  await writeFile(join(broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
  assert.deepEqual((await migrate(config, { migrationsDir: dir })).applied, ['29990101000000_broken']);
});

test('two concurrent runners on one fresh database both succeed and apply each migration once', async () => {
  const { url, config } = await emptyDb();
  const [a, b] = await Promise.all([migrate(config), migrate(config)]);
  const names = files.map((f) => f.name);
  // One of them did the work; the other waited on the lock and found everything applied.
  assert.deepEqual(
    [a.applied, b.applied].sort((x, y) => y.length - x.length),
    [names, []],
  );
  const recorded = await rows<{ n: number }>(url, 'SELECT count(*)::int AS n FROM _prisma_migrations');
  assert.equal(recorded[0]?.n, names.length);
});
