import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { StorageConfig } from '@spottune/config';
import { createLogger } from '@spottune/logger';
import { readNifti, readNpy } from '@spottune/imaging';
import {
  RADIOMICS_FEATURE_NAMES,
  extractRadiomicsFeatures,
  radiomicsSettingsHash,
} from '@spottune/evaluation';
import { createObjectStore, sha256Hex, type ObjectStore } from '@spottune/storage';
import {
  DERIVATIVES,
  automatedSegmentationPath,
  derivativePath,
  generateSyntheticCohort,
  ingestCohort,
  ingestPatient,
  type SyntheticCohort,
} from '@spottune/cohort';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startS3TestServer, type S3TestServer } from '../support/s3-server.ts';

const logger = createLogger({ level: 'silent' });
let t: TestDatabase;
let work: string;
let cohortDir: string;
let synth: SyntheticCohort;
let store: ObjectStore;
let storeDir: string;

before(async () => {
  t = await createTestDatabase();
  work = await mkdtemp(join(tmpdir(), 'spottune-ingest-'));
  cohortDir = join(work, 'upenn');
  storeDir = join(work, 'objects');
  synth = await generateSyntheticCohort({ patients: 12, outDir: cohortDir, seed: 3, size: [20, 32, 32] });
  store = createObjectStore({ kind: 'local', dir: storeDir });
  await store.ensureReady();
});

after(async () => {
  await store?.close();
  await t?.drop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Expected READY/MISSING volume counts from what synth wrote for the labelled pre-operative scans. */
function expectedVolumes(s: SyntheticCohort): { ready: number; missing: number } {
  const kept = s.scans.filter((p) => p.scanId.endsWith('_11') && /^(Un)?[Mm]ethylated$/.test(p.mgmt));
  const ready = kept.reduce((n, p) => n + p.derivatives.length, 0);
  return { ready, missing: kept.length * DERIVATIVES.length - ready };
}

async function filesUnder(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), (await stat(p)).mtimeMs);
    }
  };
  await walk(dir);
  return out;
}

test('ingest fills Patient/Volume rows and storage, excludes _21 and unlabelled rows, stores the summary', async () => {
  const { prisma } = t.db;
  const result = await ingestCohort({ source: cohortDir, name: 'synthetic', db: t.db, store, logger });
  const expected = expectedVolumes(synth);
  assert.equal(synth.labelled, 12);
  const patients = await prisma.patient.findMany({
    orderBy: { externalId: 'asc' },
    include: { volumes: true },
  });
  assert.equal(patients.length, 12);
  assert.ok(patients.every((p) => /^UPENN-GBM-\d{5}$/.test(p.externalId)));
  assert.equal(patients.filter((p) => p.mgmt === 'METHYLATED').length, synth.methylated);
  const first = synth.scans.find((s) => s.scanId === `${patients[0]!.externalId}_11`)!;
  assert.equal(patients[0]!.sex, first.sex);
  assert.equal(patients[0]!.ageYears, first.age);
  const volumes = patients.flatMap((p) => p.volumes.map((v) => ({ ...v, patient: p.externalId })));
  assert.equal(volumes.length, 12 * 11);
  const ready = volumes.filter((v) => v.status === 'READY');
  assert.equal(ready.length, expected.ready);
  assert.equal(volumes.filter((v) => v.status === 'MISSING').length, expected.missing);
  assert.ok(expected.missing > 0, 'synth leaves some DTI/DSC out');
  for (const v of ready.slice(0, 12)) {
    assert.match(
      v.storageKey!,
      new RegExp(`^volumes/${result.cohortId}/${v.patient}/${v.modality}-ref-[\\w.-]+\\.npy$`),
    );
    const bytes = await readFile(join(storeDir, v.storageKey!));
    assert.equal(sha256Hex(bytes), v.sha256);
    assert.equal(v.sourceSha256?.length, 64);
    const npy = readNpy(bytes);
    assert.deepEqual(npy.shape, v.shape);
    assert.deepEqual(v.shape, [9, 12, 12]);
    let max = 0;
    for (const x of npy.data as Float32Array) {
      assert.ok(x >= 0 && x <= 1);
      max = Math.max(max, x);
    }
    assert.equal(max, 1);
  }
  const missing = volumes.find((v) => v.status === 'MISSING')!;
  assert.match(missing.failureReason!, /^no (DTI|DSC)_\S+ file for UPENN-GBM-\d{5}_11$/);
  const s = result.summary;
  assert.deepEqual(s.excluded, { 'follow-up-scan': 1, 'mgmt-not-available': 1, 'mgmt-indeterminate': 1 });
  assert.equal(s.patients.patients, 12);
  assert.equal(s.groups.Struct.patients, 12);
  assert.equal(
    s.groups.DSC.patients,
    synth.scans.filter(
      (p) => p.scanId.endsWith('_11') && p.derivatives.includes('DSC_PH') && /ethylated/.test(p.mgmt),
    ).length,
  );
  assert.deepEqual(s.volumes, {
    ready: expected.ready,
    stored: expected.ready,
    unchanged: 0,
    missing: expected.missing,
    failed: 0,
  });
  const cohort = await prisma.cohort.findUniqueOrThrow({ where: { name: 'synthetic' } });
  assert.equal(cohort.status, 'SUCCEEDED');
  assert.deepEqual((cohort.summary as { excluded: unknown }).excluded, s.excluded);
  assert.equal((await filesUnder(join(storeDir, 'volumes'))).size, expected.ready);
});

test('ingest stores the radiomics baseline features, computed on the original-resolution structural volumes', async () => {
  const { prisma } = t.db;
  const hash = radiomicsSettingsHash();
  const rows = await prisma.radiomicsFeature.findMany({
    where: { settingsHash: hash },
    include: { patient: true },
  });
  const patients = new Set(rows.map((r) => r.patient.externalId));
  assert.equal(patients.size, 12, 'every labelled patient has structural scans and a mask');
  assert.ok(rows.every((r) => RADIOMICS_FEATURE_NAMES.includes(r.name) && Number.isFinite(r.value)));
  // Recompute one patient's features straight from its NIfTI files: the stored values must be those.
  const scan = synth.scans.find((p) => p.scanId.endsWith('_11') && /ethylated/.test(p.mgmt))!;
  const read = async (path: string) => readNifti(join(cohortDir, path));
  const [T1, T1GD, T2, FLAIR, mask] = await Promise.all([
    ...(['T1', 'T1GD', 'T2', 'FLAIR'] as const).map((d) => read(derivativePath(scan.scanId, d))),
    read(automatedSegmentationPath(scan.scanId)),
  ]);
  const f32 = (v: { data: Float32Array | Float64Array }) => Float32Array.from(v.data);
  const expected = extractRadiomicsFeatures({
    T1: f32(T1!),
    T1GD: f32(T1GD!),
    T2: f32(T2!),
    FLAIR: f32(FLAIR!),
    mask: mask!.data,
    shape: mask!.shape as [number, number, number],
  });
  const stored = rows.filter((r) => r.patient.externalId === scan.scanId.replace(/_11$/, ''));
  assert.ok(stored.length > 0);
  for (const r of stored) {
    const want = expected[r.name]!;
    assert.ok(
      Math.abs(r.value - want) <= 1e-12 * Math.max(1, Math.abs(want)),
      `${r.name}: ${r.value} vs ${want}`,
    );
  }
});

test('a second ingest stores nothing new and rewrites no row', async () => {
  const { prisma } = t.db;
  const before = await prisma.volume.findMany({ orderBy: { id: 'asc' } });
  const filesBefore = await filesUnder(storeDir);
  const result = await ingestCohort({ source: cohortDir, name: 'synthetic', db: t.db, store, logger });
  const after = await prisma.volume.findMany({ orderBy: { id: 'asc' } });
  assert.deepEqual(after, before);
  assert.deepEqual(await filesUnder(storeDir), filesBefore);
  assert.equal(result.summary.volumes.stored, 0);
  assert.equal(result.summary.volumes.unchanged, expectedVolumes(synth).ready);
});

test('a corrupt NIfTI fails only that volume; a missing DTI folder records MISSING', async () => {
  const { prisma } = t.db;
  const withDti = synth.scans.find(
    (p) => p.scanId.endsWith('_11') && p.derivatives.includes('DTI_FA') && /ethylated/.test(p.mgmt),
  )!;
  const withDsc = synth.scans.find(
    (p) =>
      p.scanId !== withDti.scanId &&
      p.scanId.endsWith('_11') &&
      p.derivatives.includes('DSC_PH') &&
      /ethylated/.test(p.mgmt),
  )!;
  // Corrupt: keep the gzip header, cut the stream (a truncated download).
  const corruptPath = join(cohortDir, derivativePath(withDsc.scanId, 'DSC_PH'));
  const bytes = await readFile(corruptPath);
  await writeFile(corruptPath, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await rm(join(cohortDir, 'images_DTI', withDti.scanId), { recursive: true });
  const result = await ingestCohort({ source: cohortDir, name: 'synthetic', db: t.db, store, logger });
  const key = (scanId: string) => scanId.replace(/_11$/, '');
  const rows = await prisma.volume.findMany({
    where: { patient: { externalId: { in: [key(withDti.scanId), key(withDsc.scanId)] } } },
    include: { patient: true },
  });
  const failed = rows.filter((v) => v.status === 'FAILED');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.modality, 'DSC_PH');
  assert.match(failed[0]!.failureReason!, /DSC_PH\.nii\.gz/);
  assert.equal(failed[0]!.storageKey, null);
  const dscOthers = rows.filter(
    (v) =>
      v.patient.externalId === key(withDsc.scanId) &&
      v.modality.startsWith('DSC_') &&
      v.modality !== 'DSC_PH',
  );
  assert.ok(dscOthers.every((v) => v.status === 'READY'));
  const dti = rows.filter(
    (v) => v.patient.externalId === key(withDti.scanId) && v.modality.startsWith('DTI_'),
  );
  assert.equal(dti.length, 4);
  for (const v of dti) {
    assert.equal(v.status, 'MISSING');
    assert.equal(v.failureReason, `no ${v.modality} file for ${withDti.scanId}`);
  }
  assert.equal(result.summary.volumes.failed, 1);
  assert.equal(result.summary.volumes.stored, 0);
  assert.ok(result.summary.problems.some((p) => p.status === 'FAILED' && p.derivative === 'DSC_PH'));
  assert.equal(result.summary.groups.DTI.patients, result.summary.groups.DTI.patients);
  const cohort = await prisma.cohort.findUniqueOrThrow({ where: { name: 'synthetic' } });
  assert.equal(cohort.status, 'SUCCEEDED');
});

test('an s3:// cohort is ingested through the object store, and ingestPatient works as a job', async () => {
  let server: S3TestServer | undefined;
  let dest: ObjectStore | undefined;
  let src: ObjectStore | undefined;
  const db = await createTestDatabase();
  try {
    server = await startS3TestServer();
    const bucket = `spottune-cohort-${process.pid}-${randomBytes(3).toString('hex')}`;
    const storage: Extract<StorageConfig, { kind: 's3' }> = {
      kind: 's3',
      bucket,
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      accessKeyId: 'test-access-key',
      secretAccessKey: 'test-secret-key',
      prefix: 'store',
    };
    const small = join(work, 'small');
    const s = await generateSyntheticCohort({ patients: 3, outDir: small, seed: 8, size: [16, 24, 24] });
    src = createObjectStore({ ...storage, prefix: '' });
    await src.ensureReady();
    for (const [path] of await filesUnder(small))
      await src.put(`datasets/upenn/${path}`, await readFile(join(small, path)));
    dest = createObjectStore(storage);
    const result = await ingestCohort({
      source: `s3://${bucket}/datasets/upenn`,
      db: db.db,
      store: dest,
      logger,
      storage,
    });
    assert.equal(result.name, 'upenn');
    assert.equal(result.summary.patients.patients, 3);
    assert.equal(result.summary.volumes.ready, expectedVolumes(s).ready);
    const first = await db.db.prisma.volume.findFirstOrThrow({ where: { status: 'READY' } });
    assert.equal(sha256Hex(await dest.getBytes(first.storageKey!)), first.sha256);
    // The job form: same rows, nothing new to store.
    const patient = await db.db.prisma.patient.findFirstOrThrow({ orderBy: { externalId: 'asc' } });
    const job = await ingestPatient(
      { cohortId: result.cohortId, patientKey: patient.externalId, source: `s3://${bucket}/datasets/upenn` },
      { logger, signal: new AbortController().signal, deps: { db: db.db, store: dest, config: { storage } } },
    );
    assert.equal(job.patientId, patient.id);
    assert.equal(job.skipped, job.volumes);
    await assert.rejects(
      ingestPatient(
        { cohortId: result.cohortId, patientKey: 'UPENN-GBM-99999', source: `s3://${bucket}/datasets/upenn` },
        {
          logger,
          signal: new AbortController().signal,
          deps: { db: db.db, store: dest, config: { storage } },
        },
      ),
      /patient UPENN-GBM-99999 not found/,
    );
  } finally {
    await src?.close();
    await dest?.close();
    await server?.close();
    await db.drop();
  }
});
