// `npm run db:diff [-- --create <name>]`: the SQL that takes the database from the last migration's
// schema to prisma/schema.prisma.
//
// Why not `prisma migrate diff --from-migrations` or `--from-url`: on this stack (Prisma 6.19, js
// engine + driver adapter) both introspect a live database and fail («Column type 'name' could not
// be deserialized»). Schema-to-schema diffing works offline, so every migration that changes the
// datamodel keeps a snapshot of schema.prisma beside its SQL (`schema.snapshot`), and the diff runs
// from the newest snapshot to the current schema. Hand-written SQL (views) goes into the generated
// file or a migration of its own. test/db/migrations-in-sync.test.ts fails when schema.prisma
// differs from the newest snapshot, i.e. when someone forgot this step.
//
// Prisma's CLI still opens the adapter's connection (DATABASE_URL, a reachable Postgres; it creates
// nothing there).
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from '@spottune/config';
import { defaultMigrationsDir } from '@spottune/db';

const root = fileURLToPath(new URL('..', import.meta.url));
const schema = join(root, 'prisma', 'schema.prisma');
const migrationsDir = defaultMigrationsDir();

const args = process.argv.slice(2);
const createAt = args.indexOf('--create');
const name = createAt === -1 ? undefined : args[createAt + 1];
if (createAt !== -1 && (name === undefined || !/^[a-z0-9_]+$/.test(name))) {
  process.stderr.write('usage: db:diff [--create <snake_case_name>]\n');
  process.exit(2);
}

const config = parseEnv();
if (config.database.kind !== 'postgres') {
  process.stderr.write(
    'db:diff: set DATABASE_URL to a reachable Postgres (prisma connects to it; nothing is written)\n',
  );
  process.exit(2);
}

/** The newest `<migration>/schema.snapshot`. */
async function latestSnapshot(): Promise<string> {
  const names = (await readdir(migrationsDir)).sort().reverse();
  for (const n of names) {
    const path = join(migrationsDir, n, 'schema.snapshot');
    if (
      await stat(path).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return path;
  }
  throw new Error(`no schema.snapshot under ${migrationsDir}`);
}

const tmp = await mkdtemp(join(tmpdir(), 'spottune-db-diff-'));
try {
  // Prisma wants a .prisma file name.
  const from = join(tmp, 'from.prisma');
  await copyFile(await latestSnapshot(), from);
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'prisma'),
    ['migrate', 'diff', '--from-schema-datamodel', from, '--to-schema-datamodel', schema, '--script'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: config.database.url } },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  const sql = result.stdout;
  if (/This is an empty migration/.test(sql)) {
    process.stdout.write('schema.prisma matches the migrations: nothing to do\n');
  } else if (name === undefined) {
    process.stdout.write(sql);
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = join(migrationsDir, `${stamp}_${name}`);
    await mkdir(dir);
    await writeFile(join(dir, 'migration.sql'), sql);
    await copyFile(schema, join(dir, 'schema.snapshot'));
    process.stdout.write(`wrote ${dir}/migration.sql (review it; append hand-written SQL if needed)\n`);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
