import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '@spottune/config';
import { createDb, defaultMigrationsDir, migrate, readMigrations, type Db } from '@spottune/db';
import { coerceError } from '@spottune/errors';

/**
 * Databases for integration tests. Each test file gets its own database (never shared state), copied
 * from a migrated template so that a test database costs one `CREATE DATABASE`, not a migration run.
 *
 *   const t = await createTestDatabase();   // t.db.prisma, t.url, t.config
 *   after(() => t.drop());
 */
export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  config: DatabaseConfig;
  /** An open client on it (closed by `drop`). */
  db: Db;
  /** Disconnects and drops the database. */
  drop(): Promise<void>;
}

export interface TestPglite {
  dir: string;
  config: DatabaseConfig;
  db: Db;
  /** Closes the database and removes its directory. */
  drop(): Promise<void>;
}

/** Postgres server for tests (trust auth); the database in its path is only used for admin statements. */
export function testDatabaseServerUrl(): string {
  const fromEnv = process.env.TEST_DATABASE_URL;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The same server, another database. */
export function databaseUrl(name: string): string {
  const url = new URL(testDatabaseServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, migrated Postgres database with a unique name, and a client on it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await migratedTemplate();
  const name = `spottune_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (admin) => {
    // Serialised with template creation: Postgres refuses to copy a database someone is connected to.
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  const url = databaseUrl(name);
  const config: DatabaseConfig = { kind: 'postgres', url };
  const db = await createDb(config);
  let dropped: Promise<void> | undefined;
  return {
    url,
    config,
    db,
    drop: () =>
      (dropped ??= (async () => {
        await db.close();
        await dropDatabase(name);
      })()),
  };
}

/** Creates an empty database (no migrations) on the test server; for the migration runner's own tests. */
export async function createEmptyTestDatabase(): Promise<{
  url: string;
  config: DatabaseConfig;
  drop(): Promise<void>;
}> {
  const name = `spottune_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = databaseUrl(name);
  return { url, config: { kind: 'postgres', url }, drop: () => dropDatabase(name) };
}

/** A migrated PGlite database in a new temporary directory (copied from a migrated template directory). */
export async function createTestPglite(): Promise<TestPglite> {
  const template = await pgliteTemplate();
  const dir = await mkdtemp(join(tmpdir(), 'spottune-pglite-'));
  await cp(template, dir, { recursive: true });
  const config: DatabaseConfig = { kind: 'pglite', dir };
  const db = await createDb(config);
  let dropped: Promise<void> | undefined;
  return {
    dir,
    config,
    db,
    drop: () =>
      (dropped ??= (async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

const TEMPLATE_LOCK_KEY = 72707370;
let templatePromise: Promise<string> | undefined;
let pgliteTemplatePromise: Promise<string> | undefined;

/** sha256 over every migration (name + checksum): a changed migration gets a new template. */
async function migrationsHash(): Promise<string> {
  const files = await readMigrations(defaultMigrationsDir());
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}:${f.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * One template database per migrations version, shared by every test process on the server. Built
 * under an advisory lock under a temporary name and renamed when complete, so a half-migrated
 * template is never copied.
 */
function migratedTemplate(): Promise<string> {
  templatePromise ??= (async () => {
    const name = `spottune_tpl_${await migrationsHash()}`;
    await withAdmin(async (admin) => {
      await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      try {
        const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (found.rowCount !== 0) return;
        const building = `${name}_building_${process.pid}`;
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${quoteIdent(building)}`);
        await migrate({ kind: 'postgres', url: databaseUrl(building) });
        await admin.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
        // Templates of older migration versions are dead weight once a newer one exists.
        const stale = await admin.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE datname LIKE 'spottune\\_tpl\\_%' AND datname <> $1
             AND datname NOT LIKE '%\\_building\\_%'`,
          [name],
        );
        for (const row of stale.rows) {
          await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`);
        }
      } finally {
        await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
      }
    });
    await withAdmin(dropOrphans);
    return name;
  })();
  return templatePromise;
}

/**
 * A migrated PGlite directory under the OS temp dir, per migrations version. Built in a private
 * directory and renamed into place (atomic), so concurrent test processes never see a partial one.
 */
function pgliteTemplate(): Promise<string> {
  pgliteTemplatePromise ??= (async () => {
    const final = join(tmpdir(), `spottune-pglite-template-${await migrationsHash()}`);
    if (await isDirectory(final)) return final;
    const building = await mkdtemp(join(tmpdir(), 'spottune-pglite-building-'));
    const db = await createDb({ kind: 'pglite', dir: building }, { migrate: true });
    await db.close();
    try {
      await rename(building, final);
    } catch (e) {
      const err = coerceError(e);
      const code = (err as NodeJS.ErrnoException).code;
      // Another process got there first: its template is as good as ours.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      await rm(building, { recursive: true, force: true });
    }
    return final;
  })();
  return pgliteTemplatePromise;
}

/**
 * Test databases of test processes that died before their `after` hook (a crash, a killed run) on
 * this machine: their pid is in the name. Only for a server on this host, and never one in use.
 */
async function dropOrphans(admin: pg.Client): Promise<void> {
  const host = new URL(testDatabaseServerUrl()).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) return;
  const rows = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname ~ '^spottune_test_[0-9]+_[0-9a-f]+$'`,
  );
  for (const { datname } of rows.rows) {
    const pid = Number(datname.split('_')[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`);
    } catch (e) {
      const err = coerceError(e);
      // 55006: someone is connected after all; leave it.
      if ((err as { code?: unknown }).code !== '55006') throw err;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (coerceError(e) as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    const err = coerceError(e);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseServerUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
