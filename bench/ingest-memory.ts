// Benchmark: peak memory of ingesting a synthetic cohort at the real UPENN-GBM size (155×240×240),
// patient by patient. Generates the cohort (or reuses --cohort DIR), then ingests it in a child process
// so that the child's peak RSS is the ingest's alone; also samples RSS every 50 ms. Target < 1 GiB.
// Database: a temporary database created on the Postgres server of --server-url (default the local
// trust-auth one, postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards, or --pglite for the
// embedded one (whose WASM Postgres alone takes ~800 MiB of RSS); storage: a temporary local directory.
// Run: npx tsx bench/ingest-memory.ts [--patients 20] [--size 155x240x240] [--cohort DIR] [--server-url URL | --pglite]
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '@spottune/config';
import { createDb } from '@spottune/db';
import { createLogger } from '@spottune/logger';
import { createObjectStore } from '@spottune/storage';
import { generateSyntheticCohort, ingestCohort, type Shape3 } from '@spottune/cohort';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const MiB = 1024 * 1024;

let databaseUrl = '';

async function main(): Promise<void> {
  const server = flag('server-url') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `spottune_bench_${process.pid}`;
  if (!args.includes('--pglite')) {
    await admin(server, `CREATE DATABASE ${dbName}`);
    const url = new URL(server);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  try {
    await run();
  } finally {
    if (!args.includes('--pglite')) await admin(server, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function run(): Promise<void> {
  const patients = Number(flag('patients') ?? '20');
  const size = (flag('size') ?? '155x240x240').split('x').map(Number) as unknown as Shape3;
  const work = await mkdtemp(join(tmpdir(), 'spottune-bench-ingest-'));
  try {
    let cohort = flag('cohort');
    if (cohort === undefined) {
      cohort = join(work, 'upenn');
      const t0 = performance.now();
      const made = await generateSyntheticCohort({ patients, outDir: cohort, seed: 1, size });
      console.log(
        `synth: ${made.labelled} labelled patients (+${made.notAvailable + made.indeterminate} unlabelled, ` +
          `${made.followUps} follow-ups), ${made.files} files of ${size.join('×')} in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
          `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
      );
    }
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--ingest-child', cohort, ...passThrough(work)],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) throw new Error(`ingest child exited with ${child.status}`);
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (2-core machine: timings are noisy)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function passThrough(work: string): string[] {
  const store = ['--store-dir', join(work, 'objects')];
  return args.includes('--pglite')
    ? ['--pglite-dir', join(work, 'pglite'), ...store]
    : ['--database-url', databaseUrl, ...store];
}

async function ingestChild(cohort: string): Promise<void> {
  const url = flag('database-url');
  const work = flag('pglite-dir') ?? join(tmpdir(), `spottune-bench-pglite-${process.pid}`);
  const database: DatabaseConfig =
    url !== undefined ? { kind: 'postgres', url } : { kind: 'pglite', dir: work };
  const db = await createDb(database, { migrate: true });
  const store = createObjectStore({
    kind: 'local',
    dir: flag('store-dir') ?? join(tmpdir(), `spottune-bench-objects-${process.pid}`),
  });
  await store.ensureReady();
  let sampled = process.memoryUsage().rss;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 50);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  try {
    const result = await ingestCohort({
      source: cohort,
      name: 'bench',
      db,
      store,
      logger: createLogger({ level: 'silent' }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const v = result.summary.volumes;
    console.log(
      `ingest: ${result.summary.patients.patients} patients, ${v.ready} volumes ready (${v.stored} stored), ` +
        `${v.missing} missing, ${v.failed} failed in ${seconds.toFixed(1)} s (${((seconds * 1000) / Math.max(1, v.stored)).toFixed(0)} ms per stored volume)`,
    );
    console.log(
      `ingest peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (maxRSS of the ingest process, ` +
        `${database.kind}); sampled peak ${(sampled / MiB).toFixed(0)} MiB; RSS before ingest ${(rssBefore / MiB).toFixed(0)} MiB, ` +
        `growth during ingest ${((sampled - rssBefore) / MiB).toFixed(0)} MiB; target < 1024 MiB`,
    );
  } finally {
    clearInterval(timer);
    await store.close();
    await db.close();
  }
}

if (flag('ingest-child') !== undefined) {
  await ingestChild(flag('ingest-child')!);
} else {
  await main();
}
