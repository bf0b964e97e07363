import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMigrationsDir, readMigrations } from '@spottune/db';
import { runCli } from '../support/cli.ts';
import { createEmptyTestDatabase } from '../support/database.ts';

// `npm run db:migrate` and `spottune db sql` as a user runs them: the real binary, DATABASE_URL.
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

function spottune(env: Record<string, string>, ...args: string[]) {
  return runCli(args, { ...process.env, LOG_LEVEL: 'silent', ...env });
}

test('spottune db migrate applies the migrations; db sql prints rows (intervals as Postgres text)', async () => {
  const empty = await createEmptyTestDatabase();
  cleanups.push(() => empty.drop());
  const env = { DATABASE_URL: empty.url };
  const names = (await readMigrations(defaultMigrationsDir())).map((f) => f.name);

  const first = await spottune(env, 'db', 'migrate', '--json');
  assert.equal(first.status, 0, first.stderr);
  const result = JSON.parse(first.stdout) as { database: string; applied: string[] };
  assert.deepEqual(result.applied, names);
  assert.match(result.database, /^postgres .+\/spottune_test_/);

  const sql = await spottune(
    env,
    'db',
    'sql',
    "SELECT 'x' AS name, make_interval(secs => 65) AS duration, 2::bigint AS n FROM _prisma_migrations LIMIT 1",
  );
  assert.equal(sql.status, 0, sql.stderr);
  assert.equal(sql.stdout, 'name\tduration\tn\nx\t00:01:05\t2\n(1 rows)\n');
});
