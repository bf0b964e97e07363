import { createHash, randomUUID } from 'node:crypto';
import { AppError, CancelledError, DataError, coerceError, isRetryable } from '@spottune/errors';
import type { Db } from '@spottune/db';
import type { Logger } from '@spottune/logger';
import { preprocessVolume, readNifti, writeNpy, type PreprocessOptions } from '@spottune/imaging';
import type { ObjectStore } from '@spottune/storage';
import type { FileSource } from './file-source.ts';
import { ingestPatientRadiomics } from './ingest-radiomics.ts';
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
  /** Compute the radiomics-rf baseline's features (original resolution). @defaultValue true */
  radiomics?: boolean;
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

interface VolumeFields {
  status: 'READY' | 'MISSING' | 'FAILED';
  storageKey: string | null;
  sha256: string | null;
  sourceSha256: string | null;
  shape: number[];
  failureReason: string | null;
}

const fields = (f: Partial<VolumeFields> & Pick<VolumeFields, 'status'>): VolumeFields => ({
  storageKey: null,
  sha256: null,
  sourceSha256: null,
  shape: [],
  failureReason: null,
  ...f,
});

/**
 * Ingest one scanned patient: each derivative in turn is preprocessed with the automated segmentation
 * as mask and stored as a float32 .npy (READY row); a missing file gives a MISSING row, a corrupt one a
 * FAILED row with the typed error's message, and neither stops the others. A row whose source checksum
 * (image + mask bytes) and version match — READY with its object present, or FAILED — is left as it is,
 * so a re-ingest of unchanged data stores and rewrites nothing. Rows are written in one transaction per
 * patient (objects first, so a crash in between only costs a redo). Buffers are dropped volume by
 * volume: memory stays at about one decoded volume plus the mask.
 */
export async function ingestScannedPatient(
  cohortId: string,
  patient: ScannedPatient,
  source: FileSource,
  deps: IngestDeps,
): Promise<PatientOutcome & { patientId: string }> {
  const { db, store, logger, signal } = deps;
  const log = logger.child({ patient: patient.key });
  const found = await db.prisma.patient.findUnique({
    where: { cohortId_externalId: { cohortId, externalId: patient.key } },
    include: { volumes: true },
  });
  const patientId = found?.id ?? randomUUID();
  const patientFields = { mgmt: patient.label, sex: patient.sex ?? null, ageYears: patient.ageYears ?? null };
  const patientChanged =
    found === null ||
    found.mgmt !== patientFields.mgmt ||
    found.sex !== patientFields.sex ||
    found.ageYears !== patientFields.ageYears;

  const maskBytes = patient.mask === undefined ? undefined : await source.read(patient.mask);
  let mask: DecodedMask | Error | undefined;
  let options = deps.preprocess;
  if (options === undefined) {
    // The settings follow the volume shape: decode the mask first (it is needed anyway).
    if (maskBytes !== undefined) mask = await decodeMask(maskBytes, `${source.root}/${patient.mask}`);
    options = mask === undefined || mask instanceof Error ? {} : preprocessOptionsForShape(mask.shape);
  }
  const version = preprocessingVersionOf(options);
  const existing = new Map(
    (found?.volumes ?? []).filter((v) => v.preprocessingVersion === version).map((v) => [v.modality, v]),
  );
  const writes: { derivative: Derivative; data: VolumeFields }[] = [];
  const volumes: VolumeOutcome[] = [];
  const record = (derivative: Derivative, data: VolumeFields): void => {
    const old = existing.get(derivative);
    const same =
      old !== undefined &&
      old.status === data.status &&
      old.storageKey === data.storageKey &&
      old.sha256 === data.sha256 &&
      old.sourceSha256 === data.sourceSha256 &&
      old.failureReason === data.failureReason &&
      old.shape.join() === data.shape.join();
    if (!same) writes.push({ derivative, data });
  };

  for (const derivative of DERIVATIVES) {
    if (signal?.aborted === true) throw new CancelledError(`ingest of ${patient.key} cancelled`);
    const path = patient.derivatives[derivative];
    if (path === undefined || maskBytes === undefined) {
      const reason =
        path === undefined
          ? `no ${derivative} file for ${patient.scanId}`
          : `no automated segmentation (automated_segm/${patient.scanId}_automated_approx_segm.nii.gz)`;
      record(derivative, fields({ status: 'MISSING', failureReason: reason }));
      volumes.push({ derivative, status: 'MISSING', action: 'recorded', version, reason });
      continue;
    }
    let imageBytes: Uint8Array | undefined = await source.read(path);
    const sourceSha = sha256(imageBytes, maskBytes);
    const old = existing.get(derivative);
    if (old !== undefined && old.sourceSha256 === sourceSha) {
      if (old.status === 'FAILED') {
        volumes.push({
          derivative,
          status: 'FAILED',
          action: 'recorded',
          version,
          reason: old.failureReason ?? '',
        });
        continue;
      }
      if (old.status === 'READY' && old.storageKey !== null && (await store.exists(old.storageKey))) {
        volumes.push({ derivative, status: 'READY', action: 'unchanged', version });
        continue;
      }
    }
    let stored: { key: string; sha: string; bytes: Uint8Array; shape: number[] };
    try {
      const image = await readNifti(imageBytes, { name: `${source.root}/${path}` });
      imageBytes = undefined;
      if (image.shape.length !== 3) {
        throw new DataError(`${path}: expected a 3-D volume, got shape [${image.shape.join(', ')}]`);
      }
      mask ??= await decodeMask(maskBytes, `${source.root}/${patient.mask}`);
      if (mask instanceof Error) throw mask;
      const out = preprocessVolume({ data: image.data, shape: image.shape }, mask, options);
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
      // A bad file (typed DataError/NiftiError, or whatever the decoder threw) fails this volume only.
      const reason = err instanceof AppError ? err.message : `${err.name}: ${err.message}`;
      log.warn({ derivative, err }, 'volume failed');
      record(derivative, fields({ status: 'FAILED', sourceSha256: sourceSha, failureReason: reason }));
      volumes.push({ derivative, status: 'FAILED', action: 'recorded', version, reason });
      continue;
    }
    await store.put(stored.key, stored.bytes, {
      sha256: stored.sha,
      contentType: 'application/octet-stream',
    });
    record(
      derivative,
      fields({
        status: 'READY',
        storageKey: stored.key,
        sha256: stored.sha,
        sourceSha256: sourceSha,
        shape: stored.shape,
      }),
    );
    log.debug({ derivative, key: stored.key }, 'volume stored');
    volumes.push({ derivative, status: 'READY', action: 'stored', version });
  }

  if (patientChanged || writes.length > 0) {
    await db.prisma.$transaction([
      db.prisma.patient.upsert({
        where: { cohortId_externalId: { cohortId, externalId: patient.key } },
        create: { id: patientId, cohortId, externalId: patient.key, ...patientFields },
        update: patientFields,
      }),
      ...writes.map(({ derivative, data }) =>
        db.prisma.volume.upsert({
          where: {
            patientId_modality_preprocessingVersion: {
              patientId,
              modality: derivative,
              preprocessingVersion: version,
            },
          },
          create: { patientId, modality: derivative, preprocessingVersion: version, ...data },
          update: data,
        }),
      ),
    ]);
  }
  if (deps.radiomics !== false) {
    const radiomics = await ingestPatientRadiomics(patientId, patient, source, { db, logger: log });
    log.debug({ radiomics }, 'radiomics features');
  }
  return {
    patientId,
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
    if (m.shape.length !== 3) {
      return new DataError(`${name}: expected a 3-D mask, got shape [${m.shape.join(', ')}]`);
    }
    return { data: m.data, shape: m.shape as unknown as Shape3 };
  } catch (e) {
    const err = coerceError(e);
    if (isRetryable(err)) throw err;
    // Returned, not thrown: every derivative of the patient then fails with the mask's message.
    return err;
  }
}

function sha256(...parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
