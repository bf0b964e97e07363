import { NotFoundError, ValidationError } from '@spottune/errors';
import { parseCsv } from './csv.ts';
import type { FileSource } from './file-source.ts';
import {
  DERIVATIVES,
  GROUP_FOLDERS,
  groupOf,
  isDerivative,
  type Derivative,
  type ModalityGroup,
} from './modalities.ts';

export type MgmtLabel = 'METHYLATED' | 'UNMETHYLATED';

/** One labelled pre-operative patient found in an UPENN-GBM-layout source. Paths are source-relative. */
export interface ScannedPatient {
  /** Patient key, e.g. UPENN-GBM-00001 (the `_11` scan suffix stripped; Patient.externalId). */
  key: string;
  /** Scan id, e.g. UPENN-GBM-00001_11: the first two `_`-separated tokens of the file names. */
  scanId: string;
  label: MgmtLabel;
  sex: string | undefined;
  ageYears: number | undefined;
  /** Derivative → path of its NIfTI file, for the derivatives present. */
  derivatives: Partial<Record<Derivative, string>>;
  /** Derivatives with no file, in DERIVATIVES order. */
  missing: Derivative[];
  /** The automated segmentation (the mask used by preprocessing); undefined when absent. */
  mask: string | undefined;
  /** The manual segmentation (images_segm), when present. */
  manualMask: string | undefined;
  /** Groups for which every derivative is present (and a mask exists). */
  completeGroups: ModalityGroup[];
}

export type ExclusionReason =
  | 'follow-up-scan'
  | 'mgmt-not-available'
  | 'mgmt-indeterminate'
  | 'mgmt-missing'
  | 'no-images'
  | 'no-clinical-row';

/** A clinical row or image folder left out of the cohort, and why. */
export interface Exclusion {
  id: string;
  reason: ExclusionReason;
  detail: string;
}

export interface CohortScan {
  root: string;
  source: FileSource;
  /** Source-relative path of the clinical CSV used. */
  clinicalCsv: string;
  /** Labelled pre-operative patients with at least one image, sorted by key. */
  patients: ScannedPatient[];
  excluded: Exclusion[];
}

const CLINICAL_CSV = 'UPENN-GBM_clinical_info_v1.0.csv';
const IMAGE_FOLDERS = new Set([
  'images_structural',
  'images_DTI',
  'images_DSC',
  'automated_segm',
  'images_segm',
]);

interface ScanFiles {
  derivatives: Map<Derivative, string>;
  mask: string | undefined;
  manualMask: string | undefined;
}

/**
 * Scan an UPENN-GBM-layout source (reference §2.1–2.2, with Q1 and Q2 fixed): read the clinical CSV,
 * keep MGMT ∈ {Methylated, Unmethylated} and pre-operative `_11` scans, and match each derivative
 * file exactly by name (`<ID>_T1.nii.gz` never matches `<ID>_T1GD.nii.gz`). Only the listing and the
 * CSV are read; volumes are opened later, patient by patient.
 */
export async function scanCohort(source: FileSource): Promise<CohortScan> {
  const csvCandidates: string[] = [];
  const scans = new Map<string, ScanFiles>();
  for await (const path of source.list()) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (/clinical.*\.csv$/i.test(name)) csvCandidates.push(path);
    else indexImage(path, name, scans);
  }
  const clinicalCsv = pickClinicalCsv(csvCandidates);
  if (clinicalCsv === undefined) {
    throw new NotFoundError(`${source.root}: no clinical CSV (csvs/${CLINICAL_CSV} or any *clinical*.csv)`);
  }
  const table = parseCsv(new TextDecoder().decode(await source.read(clinicalCsv)), clinicalCsv);
  for (const column of ['ID', 'MGMT']) {
    if (!table.header.includes(column)) {
      throw new ValidationError(
        `${clinicalCsv}: missing column "${column}" (header: ${table.header.join(', ')})`,
      );
    }
  }
  const patients: ScannedPatient[] = [];
  const excluded: Exclusion[] = [];
  const seenRows = new Map<string, number>();
  for (const { line, values } of table.records) {
    const id = (values.ID ?? '').trim();
    if (id === '') continue;
    const previous = seenRows.get(id);
    if (previous !== undefined) {
      throw new ValidationError(`${clinicalCsv} line ${line}: ID ${id} already on line ${previous}`);
    }
    seenRows.set(id, line);
    const scanId = scanIdOf(id);
    const suffix = scanId.split('_')[1];
    if (suffix !== '11') {
      excluded.push({
        id,
        reason: 'follow-up-scan',
        detail: `scan _${suffix ?? '?'} is not the pre-operative _11`,
      });
      continue;
    }
    const mgmt = (values.MGMT ?? '').trim();
    const label = mgmtLabel(mgmt);
    if (label === undefined) {
      excluded.push({ id, reason: mgmtReason(mgmt), detail: `MGMT "${mgmt}"` });
      continue;
    }
    const files = scans.get(scanId);
    if (files === undefined) {
      excluded.push({ id, reason: 'no-images', detail: 'no image files for this scan' });
      continue;
    }
    patients.push(toPatient(scanId, label, values, files));
  }
  for (const scanId of [...scans.keys()].sort()) {
    if (seenRows.has(scanId)) continue;
    const suffix = scanId.split('_')[1];
    excluded.push(
      suffix === '11'
        ? { id: scanId, reason: 'no-clinical-row', detail: `images without a row in ${clinicalCsv}` }
        : {
            id: scanId,
            reason: 'follow-up-scan',
            detail: `scan _${suffix ?? '?'} is not the pre-operative _11`,
          },
    );
  }
  patients.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { root: source.root, source, clinicalCsv, patients, excluded };
}

/** The scan id of a file basename or CSV ID: its first two `_`-separated tokens (portable Q1 fix). */
export function scanIdOf(name: string): string {
  return name.split('_').slice(0, 2).join('_');
}

/** Patient key of a scan id: the id without its `_NN` scan suffix. */
export function patientKeyOf(scanId: string): string {
  return scanId.split('_')[0] ?? scanId;
}

function mgmtLabel(value: string): MgmtLabel | undefined {
  const v = value.toLowerCase();
  if (v === 'methylated') return 'METHYLATED';
  if (v === 'unmethylated') return 'UNMETHYLATED';
  return undefined;
}

function mgmtReason(value: string): ExclusionReason {
  const v = value.toLowerCase();
  if (v === 'indeterminate') return 'mgmt-indeterminate';
  if (v === '' || v === 'nan') return 'mgmt-missing';
  return 'mgmt-not-available';
}

function pickClinicalCsv(candidates: string[]): string | undefined {
  const exact = candidates.filter((p) => p === `csvs/${CLINICAL_CSV}` || p.endsWith(`/csvs/${CLINICAL_CSV}`));
  const pool = exact.length > 0 ? exact : candidates;
  // Shortest path first, then alphabetical: deterministic whatever the listing order.
  return [...pool].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))[0];
}

function indexImage(path: string, name: string, scans: Map<string, ScanFiles>): void {
  const stem = name.endsWith('.nii.gz')
    ? name.slice(0, -7)
    : name.endsWith('.nii')
      ? name.slice(0, -4)
      : undefined;
  if (stem === undefined) return;
  const segments = path.split('/');
  const folder = segments.find((s) => IMAGE_FOLDERS.has(s));
  if (folder === undefined) return;
  const tokens = stem.split('_');
  if (tokens.length < 3) return;
  const scanId = tokens.slice(0, 2).join('_');
  const rest = tokens.slice(2).join('_');
  let files = scans.get(scanId);
  const ensure = (): ScanFiles => {
    if (files === undefined) {
      files = { derivatives: new Map(), mask: undefined, manualMask: undefined };
      scans.set(scanId, files);
    }
    return files;
  };
  if (folder === 'automated_segm') {
    if (rest === 'automated_approx_segm' && ensure().mask === undefined) ensure().mask = path;
    return;
  }
  if (folder === 'images_segm') {
    if (rest === 'segm' && ensure().manualMask === undefined) ensure().manualMask = path;
    return;
  }
  if (!isDerivative(rest) || GROUP_FOLDERS[groupOf(rest)] !== folder) return;
  const f = ensure();
  if (!f.derivatives.has(rest)) f.derivatives.set(rest, path);
}

function toPatient(
  scanId: string,
  label: MgmtLabel,
  values: Record<string, string>,
  files: ScanFiles,
): ScannedPatient {
  const derivatives: Partial<Record<Derivative, string>> = {};
  const missing: Derivative[] = [];
  for (const d of DERIVATIVES) {
    const path = files.derivatives.get(d);
    if (path === undefined) missing.push(d);
    else derivatives[d] = path;
  }
  const completeGroups = (['DSC', 'DTI', 'Struct'] as const).filter(
    (g) =>
      files.mask !== undefined && DERIVATIVES.every((d) => groupOf(d) !== g || derivatives[d] !== undefined),
  );
  const sex = (values.Gender ?? values.Sex ?? '').trim();
  const age = Number.parseFloat((values.Age_at_scan_years ?? '').trim());
  return {
    key: patientKeyOf(scanId),
    scanId,
    label,
    sex: sex === '' ? undefined : sex,
    ageYears: Number.isFinite(age) ? age : undefined,
    derivatives,
    missing,
    mask: files.mask,
    manualMask: files.manualMask,
    completeGroups,
  };
}
