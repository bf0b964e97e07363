import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError } from '@spottune/errors';
import { classifyDbError, createDb, defaultMigrationsDir, migrate, readMigrations } from '@spottune/db';
import { createTestPglite } from '../support/database.ts';

// The embedded database: the same migrations and generated client on PGlite (a directory).
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('a new PGlite directory is migrated once, recorded like Postgres, and reopens with its data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spottune-pglite-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = { kind: 'pglite' as const, dir: join(dir, 'db') };
  const files = await readMigrations(defaultMigrationsDir());
  const names = files.map((f) => f.name);

  const first = await migrate(config);
  assert.deepEqual(first, { applied: names, alreadyApplied: [] });
  const db = await createDb(config);
  try {
    const recorded = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      'SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name',
    );
    assert.deepEqual(
      recorded,
      files.map((f) => ({ migration_name: f.name, checksum: f.checksum })),
    );
    await db.prisma.cohort.create({ data: { name: 'kept', source: '/d', preprocessingVersion: 'v1' } });
  } finally {
    await db.close();
  }
  // Reopened: nothing left to apply, and the data is still there.
  const second = await migrate(config);
  assert.deepEqual(second, { applied: [], alreadyApplied: names });
  const reopened = await createDb(config);
  try {
    assert.equal(await reopened.prisma.cohort.count({ where: { name: 'kept' } }), 1);
    const views = await reopened.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM information_schema.views WHERE table_name LIKE 'v\\_%'`,
    );
    assert.equal(views[0]?.n, 6);
  } finally {
    await reopened.close();
  }
});

test('createTestPglite: upserts, unique-key conflicts and the views work on the embedded database', async () => {
  const t = await createTestPglite();
  cleanups.push(() => t.drop());
  const db = t.db.prisma;
  const cohort = await db.cohort.upsert({
    where: { name: 'c' },
    create: { name: 'c', source: '/d', preprocessingVersion: 'v1' },
    update: {},
  });
  await db.cohort.upsert({
    where: { name: 'c' },
    create: { name: 'c', source: '/d', preprocessingVersion: 'v1' },
    update: {},
  });
  assert.equal(await db.cohort.count(), 1);
  await db.patient.create({
    data: { cohortId: cohort.id, externalId: 'UPENN-GBM-00001', mgmt: 'METHYLATED', ageYears: 61.5 },
  });
  let caught: unknown;
  try {
    await db.patient.create({
      data: { cohortId: cohort.id, externalId: 'UPENN-GBM-00001', mgmt: 'UNMETHYLATED' },
    });
  } catch (e) {
    caught = e;
  }
  const err = classifyDbError(caught);
  assert.ok(err instanceof ConflictError, `got ${String(err)}`);
  assert.deepEqual(err.details?.fields, ['cohort_id', 'external_id']);
  const rows = await db.$queryRawUnsafe<unknown[]>('SELECT * FROM v_best_ensemble_per_network');
  assert.deepEqual(rows, []);
});
