import { AppError, CancelledError, coerceError, isRetryable } from '@spottune/errors';
import {
  RADIOMICS_FEATURES,
  extractRadiomicsFeatures,
  radiomicsSettingsHash,
  type RadiomicsSettings,
} from '@spottune/evaluation';
import { readNifti } from '@spottune/imaging';
import type { Db } from '@spottune/db';
import type { Logger } from '@spottune/logger';
import type { FileSource } from './file-source.ts';
import type { ScannedPatient } from './scan-cohort.ts';

/** Structural derivatives the radiomics baseline reads (Li et al. 2018 as listed in the paper). */
const RADIOMICS_INPUTS = ['T1', 'T1GD', 'T2', 'FLAIR'] as const;

export type RadiomicsOutcome =
  | { status: 'stored'; features: number; undefinedFeatures: string[] }
  | { status: 'unchanged' }
  | { status: 'skipped'; reason: string };

/**
 * The radiomics-rf baseline's features for one patient, on the ORIGINAL-resolution structural
 * volumes and the automated segmentation (not the preprocessed network inputs), stored as
 * RadiomicsFeature rows keyed by the settings hash. Features whose region is empty (no necrosis,
 * say) are undefined in pyradiomics and are not stored; the trial then leaves that patient out.
 * A patient missing a structural volume or the mask is skipped with the reason; a corrupt file is
 * reported, never fatal to the ingest.
 */
export async function ingestPatientRadiomics(
  patientId: string,
  patient: ScannedPatient,
  source: FileSource,
  deps: { db: Db; logger: Logger; settings?: Partial<RadiomicsSettings> },
): Promise<RadiomicsOutcome> {
  const settingsHash = radiomicsSettingsHash(deps.settings);
  const missing = RADIOMICS_INPUTS.filter((d) => patient.derivatives[d] === undefined);
  if (missing.length > 0 || patient.mask === undefined) {
    return {
      status: 'skipped',
      reason: `missing ${[...missing, ...(patient.mask === undefined ? ['mask'] : [])].join(', ')}`,
    };
  }
  const existing = await deps.db.prisma.radiomicsFeature.count({ where: { patientId, settingsHash } });
  if (existing > 0) return { status: 'unchanged' };
  try {
    const read = async (path: string) =>
      readNifti(await source.read(path), { name: `${source.root}/${path}` });
    const mask = await read(patient.mask);
    const volumes: Record<string, Float32Array> = {};
    for (const d of RADIOMICS_INPUTS) {
      const v = await read(patient.derivatives[d]!);
      if (v.shape.join('x') !== mask.shape.join('x')) {
        return {
          status: 'skipped',
          reason: `${d} shape ${v.shape.join('x')} differs from the mask's ${mask.shape.join('x')}`,
        };
      }
      volumes[d] = v.data instanceof Float32Array ? v.data : Float32Array.from(v.data);
    }
    const features = extractRadiomicsFeatures(
      {
        T1: volumes.T1!,
        T1GD: volumes.T1GD!,
        T2: volumes.T2!,
        FLAIR: volumes.FLAIR!,
        mask: mask.data,
        shape: mask.shape as [number, number, number],
      },
      deps.settings,
    );
    const finite = RADIOMICS_FEATURES.filter((f) => Number.isFinite(features[f.name]));
    await deps.db.prisma.radiomicsFeature.createMany({
      data: finite.map((f) => ({ patientId, name: f.name, value: features[f.name]!, settingsHash })),
      skipDuplicates: true,
    });
    return {
      status: 'stored',
      features: finite.length,
      undefinedFeatures: RADIOMICS_FEATURES.filter((f) => !Number.isFinite(features[f.name])).map(
        (f) => f.name,
      ),
    };
  } catch (e) {
    const err = coerceError(e);
    if (err instanceof CancelledError || isRetryable(err)) throw err;
    deps.logger.warn({ err, patient: patient.key }, 'radiomics features failed');
    return {
      status: 'skipped',
      reason: err instanceof AppError ? err.message : `${err.name}: ${err.message}`,
    };
  }
}
