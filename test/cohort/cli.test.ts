import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSplitsCsv } from '@spottune/cohort';
import { runCli, type CliRun } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The real binary, as a user runs it (`npx spottune ...`), against a test database and a local store.
// Each spawn costs seconds (the CLI loads every command), so one test covers the whole path; the
// library tests (ingest.test.ts, libs/cohort) cover idempotency and the edge cases.
let t: TestDatabase;
let work: string;

before(async () => {
  t = await createTestDatabase();
  work = await mkdtemp(join(tmpdir(), 'spottune-cohort-cli-'));
});

after(async () => {
  await t?.drop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

function spottune(...args: string[]): Promise<CliRun> {
  return runCli(
    args,
    {
      ...process.env,
      LOG_LEVEL: 'silent',
      DATABASE_URL: t.url,
      SPOTTUNE_HOME: join(work, 'home'),
      SPOTTUNE_STORAGE_DIR: join(work, 'objects'),
      S3_BUCKET: '',
    },
    { npx: true },
  );
}

test('synth → ingest → splits through the CLI', async () => {
  const dir = join(work, 'upenn');
  const synth = await spottune(
    'synth',
    '--patients',
    '12',
    '--out',
    dir,
    '--size',
    '20x32x32',
    '--seed',
    '4',
    '--json',
  );
  assert.equal(synth.status, 0, synth.stderr);
  const made = JSON.parse(synth.stdout) as { labelled: number; notAvailable: number; followUps: number };
  assert.equal(made.labelled, 12);

  const ingest = await spottune('ingest', dir, '--name', 'cli-cohort');
  assert.equal(ingest.status, 0, ingest.stderr);
  assert.match(ingest.stdout, /^cohort cli-cohort \([0-9a-f-]{36}\)$/m);
  assert.match(ingest.stdout, /^patients: 12 \(\d+ methylated \/ \d+ unmethylated\)$/m);
  assert.match(ingest.stdout, /^ {2}Struct +12 /m);
  assert.match(ingest.stdout, /^excluded: 1 follow-up-scan, 1 mgmt-not-available, 1 mgmt-indeterminate$/m);
  assert.equal(await t.db.prisma.patient.count(), 12);

  const out = join(work, 'split.csv');
  const splits = await spottune('splits', 'cli-cohort', '--seed', '7', '--folds', '3', '--out', out);
  assert.equal(splits.status, 0, splits.stderr);
  const csv = await readFile(out, 'utf8');
  assert.match(csv, /^group,patient,role,fold\n/);
  const imported = importSplitsCsv(csv);
  const struct = imported.groups.Struct!;
  assert.equal(struct.test.length + struct.folds.flat().length, 12);
  assert.equal(struct.folds.length, 3);
  const dsc = imported.groups.DSC!;
  for (const id of dsc.test)
    assert.ok(struct.test.includes(id), 'the DSC hold-out is inside every group hold-out');
  // Seeded: the same command prints the same bytes.
  const stdoutCsv = await spottune('splits', 'cli-cohort', '--seed', '7', '--folds', '3');
  assert.equal(stdoutCsv.stdout, csv);

  const bad = await spottune('synth', '--patients', 'zero', '--out', dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--patients: expected a positive integer/);
});
