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

test('spottune db migrate applies, then reports up to date; db sql prints view rows (intervals too)', async () => {
  const empty = await createEmptyTestDatabase();
  cleanups.push(() => empty.drop());
  const env = { DATABASE_URL: empty.url };
  const names = (await readMigrations(defaultMigrationsDir())).map((f) => f.name);

  const first = await spottune(env, 'db', 'migrate', '--json');
  assert.equal(first.status, 0, first.stderr);
  const result = JSON.parse(first.stdout) as { database: string; applied: string[] };
  assert.deepEqual(result.applied, names);
  assert.match(result.database, /^postgres 127\.0\.0\.1:5432\/spottune_test_/);

  const second = await spottune(env, 'db', 'migrate');
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`up to date \\(${names.length} migrations applied earlier\\)`));

  const sql = await spottune(
    env,
    'db',
    'sql',
    "SELECT 'x' AS name, make_interval(secs => 65) AS duration, 2::bigint AS n FROM _prisma_migrations LIMIT 1",
  );
  assert.equal(sql.status, 0, sql.stderr);
  assert.equal(sql.stdout, 'name\tduration\tn\nx\t00:01:05\t2\n(1 rows)\n');

  const bad = await spottune(env, 'db', 'sql', 'SELECT * FROM no_such_view');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no_such_view/);
});
