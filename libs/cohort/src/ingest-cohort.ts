import type { Config } from '@spottune/config';
import { NotFoundError, coerceError } from '@spottune/errors';
import type { Db } from '@spottune/db';
import type { Logger } from '@spottune/logger';
import type { ObjectStore } from '@spottune/storage';
import type { PreprocessOptions } from '@spottune/imaging';
import { PREPROCESSING_VERSION } from '@spottune/imaging';
import { defaultCohortName, openCohortSource } from './cohort-source.ts';
import type { FileSource } from './file-source.ts';
import { ingestScannedPatient, type IngestDeps } from './ingest-patient.ts';
import { summarizeIngest, type CohortSummary, type PatientOutcome } from './ingest-summary.ts';
import { scanCohort } from './scan-cohort.ts';

export interface IngestCohortOptions {
  /** A directory or `s3://bucket/prefix` in the UPENN-GBM layout. */
  source: string;
  /** Cohort name (unique); default the last segment of the source. */
  name?: string;
  db: Db;
  store: Pick<ObjectStore, 'put' | 'exists'>;
  logger: Logger;
  /** S3 settings to read an s3:// source with. */
  storage?: Config['storage'];
  preprocess?: PreprocessOptions;
  signal?: AbortSignal;
  /** Called after each patient. */
  onPatient?: (done: number, total: number, outcome: PatientOutcome) => void;
}

export interface IngestCohortResult {
  cohortId: string;
  name: string;
  summary: CohortSummary;
}

/**
 * Ingest a whole UPENN-GBM-layout cohort, patient by patient (memory stays at one volume): scan,
 * upsert the Cohort row, ingest every kept patient (see ingestScannedPatient), and store the summary —
 * patients per class and group, what was skipped and why — in Cohort.summary. Idempotent: unchanged
 * volumes are skipped by source checksum.
 */
export async function ingestCohort(options: IngestCohortOptions): Promise<IngestCohortResult> {
  const opened = openCohortSource(options.source, options.storage);
  try {
    return await ingestFromSource(opened.source, options);
  } finally {
    await opened.close();
  }
}

async function ingestFromSource(
  source: FileSource,
  options: IngestCohortOptions,
): Promise<IngestCohortResult> {
  const { db, logger } = options;
  const name = options.name ?? defaultCohortName(options.source);
  const scan = await scanCohort(source);
  logger.info(
    { source: source.root, patients: scan.patients.length, excluded: scan.excluded.length },
    'cohort scanned',
  );
  const cohort = await db.prisma.cohort.upsert({
    where: { name },
    create: { name, source: source.root, preprocessingVersion: PREPROCESSING_VERSION, status: 'RUNNING' },
    update: { source: source.root, status: 'RUNNING', finishedAt: null },
    select: { id: true },
  });
  const deps: IngestDeps = {
    db,
    store: options.store,
    logger,
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.preprocess !== undefined && { preprocess: options.preprocess }),
  };
  const outcomes: PatientOutcome[] = [];
  try {
    for (const patient of scan.patients) {
      const outcome = await ingestScannedPatient(cohort.id, patient, source, deps);
      outcomes.push(outcome);
      options.onPatient?.(outcomes.length, scan.patients.length, outcome);
    }
  } catch (e) {
    const err = coerceError(e);
    await db.prisma.cohort.update({
      where: { id: cohort.id },
      data: { status: err.name === 'CancelledError' ? 'CANCELLED' : 'FAILED', finishedAt: new Date() },
    });
    throw err;
  }
  const versions = new Set(outcomes.flatMap((o) => o.volumes.map((v) => v.version)));
  const version = versions.size === 1 ? [...versions][0]! : PREPROCESSING_VERSION;
  const summary = summarizeIngest(source.root, version, outcomes, scan.excluded);
  await db.prisma.cohort.update({
    where: { id: cohort.id },
    data: {
      status: 'SUCCEEDED',
      finishedAt: new Date(),
      preprocessingVersion: version,
      summary: JSON.parse(JSON.stringify(summary)) as object,
    },
  });
  return { cohortId: cohort.id, name, summary };
}

/** The job-processor context ingestPatient needs (libs/jobs' JobContext satisfies it). */
export interface IngestPatientContext {
  logger: Logger;
  signal: AbortSignal;
  deps: { db: Db; store: Pick<ObjectStore, 'put' | 'exists'>; config: Pick<Config, 'storage'> };
}

export interface IngestPatientPayload {
  cohortId: string;
  /** Patient key as in the dataset, e.g. UPENN-GBM-00001. */
  patientKey: string;
  /** The cohort's root: a directory or s3:// prefix. */
  source: string;
}

/**
 * One patient as a queued job (`ingest-patient`): scan the source, ingest that patient. A patient the
 * scan excludes (no label, follow-up only) returns patientId null; one absent from the source is a
 * NotFoundError (not retried).
 */
export async function ingestPatient(
  payload: IngestPatientPayload,
  ctx: IngestPatientContext,
): Promise<{ patientId: string | null; volumes: number; skipped: number }> {
  const opened = openCohortSource(payload.source, ctx.deps.config.storage);
  try {
    const scan = await scanCohort(opened.source);
    const patient = scan.patients.find((p) => p.key === payload.patientKey);
    if (patient === undefined) {
      const excluded = scan.excluded.find((e) => e.id.split('_')[0] === payload.patientKey);
      if (excluded !== undefined) {
        ctx.logger.info({ patient: payload.patientKey, reason: excluded.reason }, 'patient excluded');
        return { patientId: null, volumes: 0, skipped: 0 };
      }
      throw new NotFoundError(`patient ${payload.patientKey} not found in ${payload.source}`);
    }
    const outcome = await ingestScannedPatient(payload.cohortId, patient, opened.source, {
      db: ctx.deps.db,
      store: ctx.deps.store,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    return {
      patientId: outcome.patientId,
      volumes: outcome.volumes.filter((v) => v.status === 'READY').length,
      skipped: outcome.volumes.filter((v) => v.action === 'unchanged').length,
    };
  } finally {
    await opened.close();
  }
}
