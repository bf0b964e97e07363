import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultMigrationsDir } from '@spottune/db';

// `npm run db:diff -- --create NAME` writes a migration and a snapshot of schema.prisma beside it
// (scripts/db-diff.ts explains why). A schema edit without that step leaves the database behind the
// generated client: fail here rather than at the first query in production.
test('prisma/schema.prisma equals the newest migration snapshot (every schema change has a migration)', async () => {
  const dir = defaultMigrationsDir();
  const names = (await readdir(dir)).sort().reverse();
  let snapshot: string | undefined;
  for (const name of names) {
    const path = join(dir, name, 'schema.snapshot');
    const found = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (found) {
      snapshot = path;
      break;
    }
  }
  assert.ok(snapshot !== undefined, `no schema.snapshot under ${dir}`);
  const current = await readFile(join(dir, '..', 'schema.prisma'), 'utf8');
  assert.equal(
    current,
    await readFile(snapshot, 'utf8'),
    `prisma/schema.prisma differs from ${snapshot}: run \`npm run db:diff -- --create <name>\``,
  );
});
