import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DERIVATIVES,
  automatedSegmentationPath,
  derivativePath,
  derivativesOf,
  groupOf,
  localFileSource,
  scanCohort,
  type Derivative,
} from './index.ts';

async function touch(root: string, path: string, body = 'x'): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), body);
}

async function writeScan(root: string, scanId: string, derivatives: readonly Derivative[], mask = true) {
  for (const d of derivatives) await touch(root, derivativePath(scanId, d));
  if (mask) await touch(root, automatedSegmentationPath(scanId));
}

const CSV = [
  'ID,Gender,Age_at_scan_years,MGMT,Survival_from_surgery_days',
  'UPENN-GBM-00001_11,M,52.4,Methylated,300',
  'UPENN-GBM-00001_21,M,53.1,Methylated,300',
  'UPENN-GBM-00002_11,F,61,Unmethylated,',
  'UPENN-GBM-00003_11,F,70,Not Available,12',
  'UPENN-GBM-00004_11,M,,Indeterminate,',
  'UPENN-GBM-00005_11,"M",44,Unmethylated,1',
  'UPENN-GBM-00006_11,F,39,Methylated,1',
].join('\n');

test('modality groups keep the reference channel order', () => {
  assert.deepEqual(derivativesOf('DSC+DTI'), [
    'DSC_ap-rCBV',
    'DSC_PH',
    'DSC_PSR',
    'DTI_AD',
    'DTI_FA',
    'DTI_RD',
    'DTI_TR',
  ]);
  assert.deepEqual(derivativesOf('Struct'), ['T2', 'FLAIR', 'T1', 'T1GD']);
  assert.equal(groupOf('T1GD'), 'Struct');
  assert.equal(groupOf('DSC_ap-rCBV'), 'DSC');
  assert.equal(DERIVATIVES.length, 11);
});

test('scanCohort keeps labelled _11 scans, matches files exactly and records exclusions', async () => {
  const root = await mkdtemp(join(tmpdir(), 'scan-'));
  try {
    await touch(root, 'csvs/UPENN-GBM_clinical_info_v1.0.csv', CSV);
    await writeScan(root, 'UPENN-GBM-00001_11', DERIVATIVES);
    await writeScan(root, 'UPENN-GBM-00001_21', DERIVATIVES);
    // Patient 2: T1GD only (no T1), no DTI; a decoy file that must not count as T1.
    await writeScan(root, 'UPENN-GBM-00002_11', ['T1GD', 'T2', 'FLAIR', 'DSC_PH', 'DSC_PSR', 'DSC_ap-rCBV']);
    await touch(root, 'images_structural/UPENN-GBM-00002_11/UPENN-GBM-00002_11_T1_old.nii.gz');
    await writeScan(root, 'UPENN-GBM-00003_11', DERIVATIVES);
    await writeScan(root, 'UPENN-GBM-00005_11', ['T1', 'T1GD', 'T2', 'FLAIR'], false);
    await writeScan(root, 'UPENN-GBM-00009_11', ['T1']);
    const scan = await scanCohort(localFileSource(root));
    assert.equal(scan.clinicalCsv, 'csvs/UPENN-GBM_clinical_info_v1.0.csv');
    assert.deepEqual(
      scan.patients.map((p) => [p.key, p.scanId, p.label, p.sex, p.ageYears]),
      [
        ['UPENN-GBM-00001', 'UPENN-GBM-00001_11', 'METHYLATED', 'M', 52.4],
        ['UPENN-GBM-00002', 'UPENN-GBM-00002_11', 'UNMETHYLATED', 'F', 61],
        ['UPENN-GBM-00005', 'UPENN-GBM-00005_11', 'UNMETHYLATED', 'M', 44],
      ],
    );
    const [p1, p2, p5] = scan.patients;
    assert.deepEqual(p1!.missing, []);
    assert.deepEqual(p1!.completeGroups, ['DSC', 'DTI', 'Struct']);
    assert.equal(p1!.derivatives.T1, 'images_structural/UPENN-GBM-00001_11/UPENN-GBM-00001_11_T1.nii.gz');
    assert.equal(p1!.mask, 'automated_segm/UPENN-GBM-00001_11_automated_approx_segm.nii.gz');
    assert.deepEqual(p2!.missing, ['T1', 'DTI_AD', 'DTI_FA', 'DTI_RD', 'DTI_TR']);
    assert.deepEqual(p2!.completeGroups, ['DSC']);
    assert.equal(p5!.mask, undefined);
    assert.deepEqual(p5!.completeGroups, []);
    assert.deepEqual(
      scan.excluded.map((e) => [e.id, e.reason]),
      [
        ['UPENN-GBM-00001_21', 'follow-up-scan'],
        ['UPENN-GBM-00003_11', 'mgmt-not-available'],
        ['UPENN-GBM-00004_11', 'mgmt-indeterminate'],
        ['UPENN-GBM-00006_11', 'no-images'],
        ['UPENN-GBM-00009_11', 'no-clinical-row'],
      ],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('scanCohort needs a clinical CSV with ID and MGMT; any *clinical*.csv is accepted', async () => {
  const root = await mkdtemp(join(tmpdir(), 'scan-'));
  try {
    await writeScan(root, 'UPENN-GBM-00001_11', ['T1']);
    await assert.rejects(scanCohort(localFileSource(root)), /no clinical CSV/);
    await touch(root, 'my_clinical.csv', 'ID,Status\nUPENN-GBM-00001_11,Methylated\n');
    await assert.rejects(scanCohort(localFileSource(root)), /my_clinical.csv: missing column "MGMT"/);
    await touch(
      root,
      'my_clinical.csv',
      'ID,MGMT\nUPENN-GBM-00001_11,Methylated\nUPENN-GBM-00001_11,Methylated\n',
    );
    await assert.rejects(
      scanCohort(localFileSource(root)),
      /line 3: ID UPENN-GBM-00001_11 already on line 2/,
    );
    await touch(root, 'my_clinical.csv', 'ID,MGMT\nUPENN-GBM-00001_11,Methylated\n');
    const scan = await scanCohort(localFileSource(root));
    assert.equal(scan.patients.length, 1);
    await assert.rejects(scanCohort(localFileSource(join(root, 'nope'))), /no such directory/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
