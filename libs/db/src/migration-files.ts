import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coerceError } from '@spottune/errors';
import { MigrationError } from './migration-error.ts';

/** One migration folder: `<dir>/<name>/migration.sql`. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 hex of the file bytes, as Prisma records it in `_prisma_migrations.checksum`. */
  checksum: string;
}

/** `prisma/migrations` of this repository, found from this file (not the cwd). */
export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));
}

/** Reads every `<name>/migration.sql` under `dir`, sorted by name (names start with a timestamp). */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new MigrationError('MIGRATIONS_NOT_FOUND', `cannot read migrations folder ${dir}`, {
      cause: coerceError(e),
    });
  }
  const names = entries
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const path = join(dir, name, 'migration.sql');
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new MigrationError('MIGRATIONS_NOT_FOUND', `migration ${name} has no ${path}`, {
        cause: coerceError(e),
      });
    }
    files.push({
      name,
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  if (files.length === 0) {
    throw new MigrationError('MIGRATIONS_NOT_FOUND', `no <name>/migration.sql under ${dir}`);
  }
  return files;
}
