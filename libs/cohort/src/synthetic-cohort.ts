import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { writeNifti } from '@spottune/imaging';
import { formatCsv } from './csv.ts';
import {
  CLINICAL_CSV_PATH,
  DERIVATIVES,
  MODALITY_GROUPS,
  automatedSegmentationPath,
  derivativePath,
  groupOf,
  type Derivative,
} from './modalities.ts';
import { headMask, modalityDatatype, synthesizeModality } from './synthetic-intensity.ts';
import { REAL_SHAPE, randomTumour, segmentTumour } from './synthetic-tumour.ts';
import type { Shape3 } from './volume.ts';

export interface SyntheticCohortOptions {
  /** Labelled pre-operative patients (every one has the structural scans and a segmentation). */
  patients: number;
  outDir: string;
  seed?: number | string;
  /** MGMT effect size E ≥ 0: 0 = the label leaves no trace in the images. @defaultValue 1 */
  effect?: number;
  /** (D, H, W). @defaultValue the real 155×240×240 */
  size?: Shape3;
  /** Fraction of labelled patients without DTI / DSC (real cohort: ~17–20% / ~28%). */
  missingDti?: number;
  missingDsc?: number;
  /** Called after each patient (progress). */
  onPatient?: (done: number, total: number) => void;
}

export interface SyntheticPatient {
  scanId: string;
  mgmt: 'Methylated' | 'Unmethylated' | 'Not Available' | 'Indeterminate';
  sex: 'M' | 'F';
  age: number;
  derivatives: Derivative[];
}

export interface SyntheticCohort {
  outDir: string;
  /** Every scan written (labelled, unlabelled and follow-ups), in CSV order. */
  scans: SyntheticPatient[];
  /** Labelled pre-operative patients: what an ingest keeps. */
  labelled: number;
  methylated: number;
  /** Rows an ingest must exclude: MGMT not available / indeterminate, and `_21` follow-ups. */
  notAvailable: number;
  indeterminate: number;
  followUps: number;
  files: number;
}

const MAX_PATIENTS = 99_999;

/**
 * Write a synthetic cohort in exactly the UPENN-GBM layout and TCIA naming (reference §2.1): per scan
 * `<group folder>/<ID>/<ID>_<derivative>.nii.gz`, `automated_segm/<ID>_automated_approx_segm.nii.gz`
 * (labels 1 necrosis, 2 oedema, 4 enhancing) and `csvs/UPENN-GBM_clinical_info_v1.0.csv`. Besides the
 * labelled patients it writes a few `Not Available` and `Indeterminate` rows and `_21` follow-up scans
 * (structural + mask only), which an ingest must leave out. Deterministic: the same options give
 * byte-identical files. Memory: one volume at a time.
 */
export async function generateSyntheticCohort(options: SyntheticCohortOptions): Promise<SyntheticCohort> {
  const n = options.patients;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PATIENTS) {
    throw new ValidationError(`patients must be an integer in 1..${MAX_PATIENTS}, got ${n}`);
  }
  const effect = options.effect ?? 1;
  if (!(Number.isFinite(effect) && effect >= 0))
    throw new ValidationError(`effect must be ≥ 0, got ${effect}`);
  const shape = options.size ?? REAL_SHAPE;
  if (shape.length !== 3 || !shape.every((x) => Number.isInteger(x) && x >= 4 && x <= 1024)) {
    throw new ValidationError(`size must be three integers in 4..1024, got ${shape.join('x')}`);
  }
  const missingDti = options.missingDti ?? 0.2;
  const missingDsc = options.missingDsc ?? 0.28;
  const root = new Rng(options.seed ?? 0).fork('synthetic-cohort');
  const scans = planScans(n, missingDti, missingDsc, root.fork('plan'));
  const head = headMask(shape);
  let files = 0;
  const write = async (relative: string, bytes: Uint8Array): Promise<void> => {
    const path = join(options.outDir, relative);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    files++;
  };
  const affine = [
    [-1, 0, 0, 0],
    [0, -1, 0, shape[1] - 1],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  let done = 0;
  for (const scan of scans) {
    const rng = root.fork('scan', scan.scanId);
    const tumour = randomTumour(shape, rng.fork('tumour'));
    const segmentation = segmentTumour(shape, tumour);
    await write(
      automatedSegmentationPath(scan.scanId),
      gzip(writeNifti({ data: segmentation, shape: [...shape], affine }, { datatype: 'uint8' })),
    );
    const label = scan.mgmt === 'Methylated' ? 1 : 0;
    for (const derivative of scan.derivatives) {
      const data = synthesizeModality({
        derivative,
        shape,
        head,
        segmentation,
        tumour,
        label,
        // Unlabelled scans carry no signal.
        effect: scan.mgmt === 'Methylated' || scan.mgmt === 'Unmethylated' ? effect : 0,
        rng: rng.fork('modality', derivative),
      });
      const datatype = modalityDatatype(derivative);
      await write(
        derivativePath(scan.scanId, derivative),
        gzip(
          writeNifti(
            { data: datatype === 'int16' ? roundInPlace(data) : data, shape: [...shape], affine },
            { datatype },
          ),
        ),
      );
    }
    options.onPatient?.(++done, scans.length);
  }
  await write(CLINICAL_CSV_PATH, new TextEncoder().encode(clinicalCsv(scans, root.fork('clinical'))));
  const labelled = scans.filter(
    (s) => s.scanId.endsWith('_11') && (s.mgmt === 'Methylated' || s.mgmt === 'Unmethylated'),
  );
  return {
    outDir: options.outDir,
    scans,
    labelled: labelled.length,
    methylated: labelled.filter((s) => s.mgmt === 'Methylated').length,
    notAvailable: scans.filter((s) => s.mgmt === 'Not Available').length,
    indeterminate: scans.filter((s) => s.mgmt === 'Indeterminate').length,
    followUps: scans.filter((s) => s.scanId.endsWith('_21')).length,
    files,
  };
}

/** Level 1: several times faster than zlib's default on noisy volumes, for ~10% more bytes. */
function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes, { level: 1 }));
}

function roundInPlace(data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) data[i] = Math.min(32767, Math.round(data[i]!));
  return data;
}

const STRUCT: Derivative[] = [...MODALITY_GROUPS.Struct];

/** Who gets which label and scans. Counts are exact (not random) so small cohorts have both classes. */
function planScans(n: number, missingDti: number, missingDsc: number, rng: Rng): SyntheticPatient[] {
  // The paper's 111 M / 262 labelled.
  const methylated = Math.min(n - (n > 1 ? 1 : 0), Math.max(n > 1 ? 1 : 0, Math.round((n * 111) / 262)));
  const labels = rng.shuffle(Array.from({ length: n }, (_, i) => (i < methylated ? 1 : 0)));
  const noDti = new Set(
    rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, Math.round(n * missingDti)),
  );
  const noDsc = new Set(
    rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, Math.round(n * missingDsc)),
  );
  const notAvailable = Math.max(1, Math.round(n * 0.1));
  const indeterminate = Math.max(1, Math.round(n * 0.03));
  const followUps = Math.max(1, Math.round(n * 0.1));
  const total = n + notAvailable + indeterminate;
  const person = () => ({
    sex: rng.uniform() < 0.625 ? ('M' as const) : ('F' as const),
    age: Math.round(Math.min(89, Math.max(18, rng.normal(62, 11))) * 10) / 10,
  });
  const scans: SyntheticPatient[] = [];
  // Unlabelled patients are interleaved at fixed positions so that IDs look like a real listing.
  const unlabelledAt = new Set(rng.shuffle(Array.from({ length: total }, (_, i) => i)).slice(0, total - n));
  let k = 0;
  let na = 0;
  for (let i = 0; i < total; i++) {
    const scanId = `UPENN-GBM-${String(i + 1).padStart(5, '0')}_11`;
    if (unlabelledAt.has(i)) {
      const mgmt = na++ < notAvailable ? 'Not Available' : 'Indeterminate';
      scans.push({ scanId, mgmt, ...person(), derivatives: STRUCT });
      continue;
    }
    const derivatives = DERIVATIVES.filter(
      (d) => !((groupOf(d) === 'DTI' && noDti.has(k)) || (groupOf(d) === 'DSC' && noDsc.has(k))),
    );
    const p: SyntheticPatient = {
      scanId,
      mgmt: labels[k] === 1 ? 'Methylated' : 'Unmethylated',
      ...person(),
      derivatives,
    };
    scans.push(p);
    if (k < followUps) {
      scans.push({ ...p, scanId: scanId.replace(/_11$/, '_21'), age: p.age + 0.5, derivatives: STRUCT });
    }
    k++;
  }
  return scans;
}

function clinicalCsv(scans: readonly SyntheticPatient[], rng: Rng): string {
  const rows = scans.map((s) => [
    s.scanId,
    s.sex,
    s.age.toFixed(1),
    String(60 + rng.int(1500)),
    rng.uniform() < 0.9 ? 'Wildtype' : 'Mutated',
    s.mgmt,
    rng.uniform() < 0.5 ? 'Not Available' : String(60 + 10 * rng.int(5)),
    rng.uniform() < 0.5 ? 'Y' : 'N',
  ]);
  return formatCsv(
    [
      'ID',
      'Gender',
      'Age_at_scan_years',
      'Survival_from_surgery_days',
      'IDH1',
      'MGMT',
      'KPS',
      'GTR_over90percent',
    ],
    rows,
  );
}
