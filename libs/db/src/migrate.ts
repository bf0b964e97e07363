import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '@spottune/config';
import { coerceError } from '@spottune/errors';
import type { Logger } from '@spottune/logger';
import { defaultMigrationsDir, readMigrations, type MigrationFile } from './migration-files.ts';
import { MigrationError } from './migration-error.ts';
import { openPglite } from './open-pglite.ts';
import { pgliteSession, pgSession, type SqlSession } from './sql-session.ts';

export interface MigrateOptions {
  /** Folder of `<name>/migration.sql`. @defaultValue this repository's `prisma/migrations` */
  migrationsDir?: string;
  logger?: Logger;
}

export interface MigrateResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Migrations that were already recorded (with a matching checksum). */
  alreadyApplied: string[];
}

/**
 * The lock Prisma's own `migrate deploy` takes, so our runner and Prisma's never interleave and two
 * of ours (several pods starting at once) apply each migration once.
 */
const MIGRATE_LOCK_KEY = 72707369;

// Prisma's exact table, so `prisma migrate status` keeps working against a database we migrated.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Brings the database to the committed schema: applies each migration missing from
 * `_prisma_migrations` in its own transaction and records it as Prisma would. Idempotent; raises
 * MigrationError (MIGRATION_CHECKSUM_MISMATCH) when an applied migration's file was edited.
 */
export async function migrate(config: DatabaseConfig, options: MigrateOptions = {}): Promise<MigrateResult> {
  if (config.kind === 'postgres') {
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      return await migrateSession(pgSession(client), options);
    } finally {
      await client.end();
    }
  }
  const db = await openPglite(config.dir);
  try {
    return await migrateSession(pgliteSession(db), options);
  } finally {
    await db.close();
  }
}

/** The runner over an open session (PGlite allows one open instance per directory, so createDb reuses its own). */
export async function migrateSession(
  session: SqlSession,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const files = await readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  await session.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
  try {
    await session.exec(CREATE_MIGRATIONS_TABLE);
    const recorded = await session.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const pending: MigrationFile[] = [];
    const alreadyApplied: string[] = [];
    for (const file of files) {
      const rows = recorded.filter((r) => r.migration_name === file.name);
      const finished = rows.find((r) => r.finished_at !== null);
      if (finished !== undefined) {
        if (finished.checksum !== file.checksum) {
          throw new MigrationError(
            'MIGRATION_CHECKSUM_MISMATCH',
            `migration ${file.name} was edited after it was applied (recorded sha256 ${finished.checksum}, ` +
              `file sha256 ${file.checksum}); add a new migration instead of editing an applied one`,
            { details: { migration: file.name, recorded: finished.checksum, file: file.checksum } },
          );
        }
        alreadyApplied.push(file.name);
      } else if (rows.length > 0) {
        throw new MigrationError(
          'MIGRATION_INCOMPLETE',
          `migration ${file.name} is recorded as started but not finished in _prisma_migrations; ` +
            'inspect the database, then mark it rolled back (rolled_back_at) before re-running',
          { details: { migration: file.name } },
        );
      } else {
        pending.push(file);
      }
    }
    // A database migrated by newer code (a rollback of the app): say so, but it is not an error.
    const known = new Set(files.map((f) => f.name));
    const unknown = recorded.filter((r) => !known.has(r.migration_name)).map((r) => r.migration_name);
    if (unknown.length > 0) {
      options.logger?.warn({ migrations: unknown }, 'database has migrations this code does not know');
    }
    const applied: string[] = [];
    for (const file of pending) {
      await applyOne(session, file);
      options.logger?.info({ migration: file.name }, 'applied migration');
      applied.push(file.name);
    }
    return { applied, alreadyApplied };
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]);
  }
}

async function applyOne(session: SqlSession, file: MigrationFile): Promise<void> {
  await session.exec('BEGIN');
  try {
    await session.exec(file.sql);
    await session.query(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), file.checksum, file.name],
    );
    await session.exec('COMMIT');
  } catch (e) {
    const err = coerceError(e);
    await session.exec('ROLLBACK');
    throw new MigrationError('MIGRATION_FAILED', `migration ${file.name} failed: ${err.message}`, {
      cause: err,
      details: { migration: file.name },
    });
  }
}
