import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultMigrationsDir, readMigrations } from '@spottune/db';
import { createEmptyTestDatabase } from '../support/database.ts';

// `npm run db:migrate` and `spottune db sql` as a user runs them: the real binary, DATABASE_URL.
const bin = fileURLToPath(new URL('../../apps/cli/bin/spottune.js', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

function spottune(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
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
