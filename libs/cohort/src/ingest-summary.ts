import type { Derivative, ModalityGroup } from './modalities.ts';
import { MODALITY_GROUPS } from './modalities.ts';
import type { Exclusion, ExclusionReason, MgmtLabel } from './scan-cohort.ts';

/** What ingest did with one derivative of one patient. */
export interface VolumeOutcome {
  derivative: Derivative;
  status: 'READY' | 'MISSING' | 'FAILED';
  /** stored = preprocessed and written now; unchanged = same source checksum, skipped; recorded = MISSING/FAILED row. */
  action: 'stored' | 'unchanged' | 'recorded';
  /** Preprocessing version of the row. */
  version: string;
  reason?: string;
}

export interface PatientOutcome {
  key: string;
  label: MgmtLabel;
  sex: string | undefined;
  ageYears: number | undefined;
  volumes: VolumeOutcome[];
}

interface ClassCount {
  patients: number;
  methylated: number;
  unmethylated: number;
}

/** Stored in Cohort.summary and printed at the end of an ingest. */
export interface CohortSummary {
  source: string;
  preprocessingVersion: string;
  /** Labelled pre-operative patients kept. */
  patients: ClassCount;
  /** Per group: patients with every derivative of the group ready, by class (paper Table 1 / §2.1). */
  groups: Record<ModalityGroup, ClassCount>;
  /** Table 1 of the paper for the Struct group: sex and age bands by class. */
  characteristics: { sex: Record<string, ClassCount>; age: Record<string, ClassCount> };
  volumes: { ready: number; stored: number; unchanged: number; missing: number; failed: number };
  /** Clinical rows / scans left out, by reason. */
  excluded: Record<string, number>;
  excludedScans: Exclusion[];
  /** Every MISSING or FAILED volume with its reason. */
  problems: { patient: string; derivative: Derivative; status: 'MISSING' | 'FAILED'; reason: string }[];
}

const AGE_BANDS: [string, number, number][] = [
  ['<18', -Infinity, 18],
  ['18-29', 18, 30],
  ['30-49', 30, 50],
  ['50-69', 50, 70],
  ['70+', 70, Infinity],
];

const EXCLUSION_ORDER: readonly ExclusionReason[] = [
  'follow-up-scan',
  'mgmt-not-available',
  'mgmt-indeterminate',
  'mgmt-missing',
  'no-images',
  'no-clinical-row',
];

const emptyCount = (): ClassCount => ({ patients: 0, methylated: 0, unmethylated: 0 });

function add(count: ClassCount, label: MgmtLabel): void {
  count.patients++;
  if (label === 'METHYLATED') count.methylated++;
  else count.unmethylated++;
}

export function summarizeIngest(
  source: string,
  preprocessingVersion: string,
  outcomes: readonly PatientOutcome[],
  excluded: readonly Exclusion[],
): CohortSummary {
  const summary: CohortSummary = {
    source,
    preprocessingVersion,
    patients: emptyCount(),
    groups: { DSC: emptyCount(), DTI: emptyCount(), Struct: emptyCount() },
    characteristics: { sex: {}, age: {} },
    volumes: { ready: 0, stored: 0, unchanged: 0, missing: 0, failed: 0 },
    excluded: {},
    excludedScans: [...excluded],
    problems: [],
  };
  // A fixed key order, whatever the CSV order, so that the summary text is stable.
  for (const reason of EXCLUSION_ORDER) {
    const n = excluded.filter((e) => e.reason === reason).length;
    if (n > 0) summary.excluded[reason] = n;
  }
  for (const p of outcomes) {
    add(summary.patients, p.label);
    const ready = new Set(p.volumes.filter((v) => v.status === 'READY').map((v) => v.derivative));
    for (const group of ['DSC', 'DTI', 'Struct'] as const) {
      if (MODALITY_GROUPS[group].every((d) => ready.has(d))) {
        add(summary.groups[group], p.label);
        if (group === 'Struct') {
          add((summary.characteristics.sex[p.sex ?? 'unknown'] ??= emptyCount()), p.label);
          const band =
            p.ageYears === undefined
              ? 'unknown'
              : AGE_BANDS.find(([, lo, hi]) => p.ageYears! >= lo && p.ageYears! < hi)![0];
          add((summary.characteristics.age[band] ??= emptyCount()), p.label);
        }
      }
    }
    for (const v of p.volumes) {
      if (v.status === 'READY') {
        summary.volumes.ready++;
        if (v.action === 'stored') summary.volumes.stored++;
        else summary.volumes.unchanged++;
      } else {
        if (v.status === 'MISSING') summary.volumes.missing++;
        else summary.volumes.failed++;
        summary.problems.push({
          patient: p.key,
          derivative: v.derivative,
          status: v.status,
          reason: v.reason ?? '',
        });
      }
    }
  }
  return summary;
}

/** The summary as the CLI prints it. */
export function formatCohortSummary(s: CohortSummary): string {
  const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);
  const line = (name: string, c: ClassCount, total: number): string =>
    `  ${name.padEnd(10)} ${String(c.patients).padStart(5)} (${pct(c.patients, total)})  M ${c.methylated} (${pct(c.methylated, c.patients)})  U ${c.unmethylated} (${pct(c.unmethylated, c.patients)})`;
  const out: string[] = [];
  out.push(`cohort from ${s.source} (preprocessing ${s.preprocessingVersion})`);
  out.push(
    `patients: ${s.patients.patients} (${s.patients.methylated} methylated / ${s.patients.unmethylated} unmethylated)`,
  );
  out.push('per modality group (every derivative ready):');
  for (const g of ['DSC', 'DTI', 'Struct'] as const) out.push(line(g, s.groups[g], s.patients.patients));
  out.push('Struct group characteristics:');
  for (const [k, c] of Object.entries(s.characteristics.sex))
    out.push(line(`sex ${k}`, c, s.groups.Struct.patients));
  for (const [band] of [...AGE_BANDS, ['unknown']] as const) {
    const c = s.characteristics.age[band];
    if (c !== undefined) out.push(line(`age ${band}`, c, s.groups.Struct.patients));
  }
  const v = s.volumes;
  out.push(
    `volumes: ${v.ready} ready (${v.stored} stored, ${v.unchanged} unchanged), ${v.missing} missing, ${v.failed} failed`,
  );
  const reasons = Object.entries(s.excluded);
  out.push(`excluded: ${reasons.length === 0 ? 'none' : reasons.map(([r, n]) => `${n} ${r}`).join(', ')}`);
  for (const p of s.problems)
    out.push(`  ${p.status.toLowerCase()}: ${p.patient} ${p.derivative}: ${p.reason}`);
  return out.join('\n') + '\n';
}
