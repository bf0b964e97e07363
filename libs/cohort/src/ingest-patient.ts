import { createHash } from 'node:crypto';
import { AppError, CancelledError, DataError, coerceError, isRetryable } from '@spottune/errors';
import type { Db } from '@spottune/db';
import type { Logger } from '@spottune/logger';
import { preprocessVolume, readNifti, writeNpy, type PreprocessOptions } from '@spottune/imaging';
import type { ObjectStore } from '@spottune/storage';
import type { FileSource } from './file-source.ts';
import { DERIVATIVES, type Derivative } from './modalities.ts';
import { preprocessOptionsForShape, preprocessingVersionOf } from './preprocess-settings.ts';
import type { PatientOutcome, VolumeOutcome } from './ingest-summary.ts';
import type { ScannedPatient } from './scan-cohort.ts';
import type { Shape3 } from './volume.ts';

export interface IngestDeps {
  db: Db;
  /** Where preprocessed volumes go. */
  store: Pick<ObjectStore, 'put' | 'exists'>;
  logger: Logger;
  signal?: AbortSignal;
  /** Explicit preprocessing options; default: the reference's, scaled to the volume shape when it differs. */
  preprocess?: PreprocessOptions;
}

/** `volumes/<cohort>/<patient>/<derivative>-<version>.npy` */
export function volumeKey(
  cohortId: string,
  patientKey: string,
  derivative: Derivative,
  version: string,
): string {
  return `volumes/${cohortId}/${patientKey}/${derivative}-${version}.npy`;
}

interface DecodedMask {
  data: Float32Array | Float64Array;
  shape: Shape3;
}

/**
 * Ingest one scanned patient: upsert the Patient row, then each derivative in turn — preprocess with the
 * automated segmentation as mask, store the float32 .npy, record a READY Volume row; a missing file is a
 * MISSING row, a corrupt one a FAILED row with the typed error's message, and neither stops the others.
 * A READY row with the same source checksum (image + mask bytes) and stored object is left untouched.
 * Buffers are dropped volume by volume, so memory stays at about one decoded volume.
 */
export async function ingestScannedPatient(
  cohortId: string,
  patient: ScannedPatient,
  source: FileSource,
  deps: IngestDeps,
): Promise<PatientOutcome & { patientId: string }> {
  const { db, store, logger, signal } = deps;
  const log = logger.child({ patient: patient.key });
  const row = await db.prisma.patient.upsert({
    where: { cohortId_externalId: { cohortId, externalId: patient.key } },
    create: {
      cohortId,
      externalId: patient.key,
      mgmt: patient.label,
      sex: patient.sex ?? null,
      ageYears: patient.ageYears ?? null,
    },
    update: { mgmt: patient.label, sex: patient.sex ?? null, ageYears: patient.ageYears ?? null },
    select: { id: true, volumes: true },
  });
  const maskBytes = patient.mask === undefined ? undefined : await source.read(patient.mask);
  let mask: DecodedMask | Error | undefined;
  let options = deps.preprocess;
  if (options === undefined) {
    // Settings follow the volume shape: decode the mask first (it is needed anyway).
    if (maskBytes !== undefined) mask = await decodeMask(maskBytes, `${source.root}/${patient.mask}`);
    options = mask === undefined || mask instanceof Error ? {} : preprocessOptionsForShape(mask.shape);
  }
  const version = preprocessingVersionOf(options);
  const volumes: VolumeOutcome[] = [];
  for (const derivative of DERIVATIVES) {
    if (signal?.aborted === true) throw new CancelledError(`ingest of ${patient.key} cancelled`);
    const path = patient.derivatives[derivative];
    const existing = row.volumes.filter((v) => v.modality === derivative);
    const record = async (
      version: string,
      data: {
        status: 'READY' | 'MISSING' | 'FAILED';
        storageKey?: string | null;
        sha256?: string | null;
        sourceSha256?: string | null;
        shape?: number[];
        failureReason?: string | null;
      },
    ): Promise<void> => {
      const fields = {
        status: data.status,
        storageKey: data.storageKey ?? null,
        sha256: data.sha256 ?? null,
        sourceSha256: data.sourceSha256 ?? null,
        shape: data.shape ?? [],
        failureReason: data.failureReason ?? null,
      };
      await db.prisma.volume.upsert({
        where: {
          patientId_modality_preprocessingVersion: {
            patientId: row.id,
            modality: derivative,
            preprocessingVersion: version,
          },
        },
        create: { patientId: row.id, modality: derivative, preprocessingVersion: version, ...fields },
        update: fields,
      });
    };
    if (path === undefined || maskBytes === undefined) {
      const reason =
        path === undefined
          ? `no ${derivative} file for ${patient.scanId}`
          : `no automated segmentation (automated_segm/${patient.scanId}_automated_approx_segm.nii.gz)`;
      const same = existing.find((v) => v.preprocessingVersion === version);
      if (!(same?.status === 'MISSING' && same.failureReason === reason))
        await record(version, { status: 'MISSING', failureReason: reason });
      volumes.push({ derivative, status: 'MISSING', action: 'recorded', version, reason });
      continue;
    }
    let imageBytes: Uint8Array | undefined = await source.read(path);
    const sourceSha = sha256(imageBytes, maskBytes);
    const unchanged = existing.find(
      (v) => v.preprocessingVersion === version && v.sourceSha256 === sourceSha,
    );
    if (unchanged !== undefined) {
      const skip =
        unchanged.status === 'FAILED' ||
        (unchanged.status === 'READY' &&
          unchanged.storageKey !== null &&
          (await store.exists(unchanged.storageKey)));
      if (skip) {
        volumes.push({
          derivative,
          status: unchanged.status === 'READY' ? 'READY' : 'FAILED',
          action: unchanged.status === 'READY' ? 'unchanged' : 'recorded',
          version,
          ...(unchanged.failureReason !== null && { reason: unchanged.failureReason }),
        });
        continue;
      }
    }
    let stored: { key: string; sha: string; bytes: Uint8Array; shape: number[] };
    try {
      const image = await readNifti(imageBytes, { name: `${source.root}/${path}` });
      imageBytes = undefined;
      if (image.shape.length !== 3)
        throw new DataError(`${path}: expected a 3-D volume, got shape [${image.shape.join(', ')}]`);
      const shape = image.shape as unknown as Shape3;
      mask ??= await decodeMask(maskBytes, `${source.root}/${patient.mask}`);
      if (mask instanceof Error) throw mask;
      const out = preprocessVolume({ data: image.data, shape }, mask, options);
      const bytes = writeNpy(out.data, [...out.shape]);
      stored = {
        key: volumeKey(cohortId, patient.key, derivative, version),
        sha: sha256(bytes),
        bytes,
        shape: [...out.shape],
      };
    } catch (e) {
      const err = coerceError(e);
      if (err instanceof CancelledError || isRetryable(err)) throw err;
      // A bad file (typed DataError/NiftiError, or anything the decoder threw) fails this volume only.
      const reason = err instanceof AppError ? err.message : `${err.name}: ${err.message}`;
      log.warn({ derivative, err }, 'volume failed');
      await record(version, { status: 'FAILED', sourceSha256: sourceSha, failureReason: reason });
      volumes.push({ derivative, status: 'FAILED', action: 'recorded', version, reason });
      continue;
    }
    await store.put(stored.key, stored.bytes, {
      sha256: stored.sha,
      contentType: 'application/octet-stream',
    });
    await record(version, {
      status: 'READY',
      storageKey: stored.key,
      sha256: stored.sha,
      sourceSha256: sourceSha,
      shape: stored.shape,
    });
    log.debug({ derivative, key: stored.key }, 'volume stored');
    volumes.push({ derivative, status: 'READY', action: 'stored', version });
  }
  return {
    patientId: row.id,
    key: patient.key,
    label: patient.label,
    sex: patient.sex,
    ageYears: patient.ageYears,
    volumes,
  };
}

async function decodeMask(bytes: Uint8Array, name: string): Promise<DecodedMask | Error> {
  try {
    const m = await readNifti(bytes, { name });
    if (m.shape.length !== 3)
      return new DataError(`${name}: expected a 3-D mask, got shape [${m.shape.join(', ')}]`);
    return { data: m.data, shape: m.shape as unknown as Shape3 };
  } catch (e) {
    const err = coerceError(e);
    if (isRetryable(err)) throw err;
    // Every derivative of the patient fails with the mask's message.
    return err;
  }
}

function sha256(...parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
