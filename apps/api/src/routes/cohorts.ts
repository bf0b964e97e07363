import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '@spottune/config';
import type { Db } from '@spottune/db';
import { NotFoundError } from '@spottune/errors';
import { defaultCohortName, openCohortSource, scanCohort } from '@spottune/cohort';
import { PREPROCESSING_VERSION } from '@spottune/imaging';
import { cohortFlow, type QueueProducer } from '@spottune/jobs';
import { anyJson, dateTime, errorResponses, idParams, nullableDateTime } from '../schemas/common.ts';

const cohortSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    source: { type: 'string' },
    status: { type: 'string' },
    preprocessingVersion: { type: 'string' },
    createdAt: dateTime,
    finishedAt: nullableDateTime,
    patients: { type: 'integer' },
    perClass: { type: 'object', additionalProperties: { type: 'integer' } },
    volumes: { type: 'object', additionalProperties: { type: 'integer' } },
    summary: anyJson,
  },
  required: ['id', 'name', 'source', 'status', 'patients', 'perClass', 'volumes'],
} as const;

/**
 * Cohorts: `POST /cohorts` scans an UPENN-GBM-layout folder or s3:// prefix (listing and clinical CSV
 * only) and enqueues one ingest job per patient, with a summary job after them; `GET /cohorts/:id`
 * reports progress (patients and volumes written so far) and the per-class summary.
 */
export const cohortRoutes: FastifyPluginAsync<{ db: Db; queue: QueueProducer; config: Config }> = async (
  app,
  { db, queue, config },
) => {
  app.post(
    '/cohorts',
    {
      schema: {
        summary: 'Ingest a cohort (one job per patient)',
        body: {
          type: 'object',
          properties: {
            source: { type: 'string', minLength: 1, maxLength: 2000 },
            name: { type: 'string', minLength: 1, maxLength: 200 },
          },
          required: ['source'],
          additionalProperties: false,
        },
        response: {
          202: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: { type: 'string' },
              patients: { type: 'integer' },
              excluded: { type: 'integer' },
            },
            required: ['id', 'name', 'patients', 'excluded'],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { source, name: given } = request.body as { source: string; name?: string };
      const name = given ?? defaultCohortName(source);
      const opened = openCohortSource(source, config.storage);
      let scan;
      try {
        scan = await scanCohort(opened.source);
      } finally {
        await opened.close();
      }
      const cohort = await db.prisma.cohort.upsert({
        where: { name },
        create: {
          name,
          source: opened.source.root,
          preprocessingVersion: PREPROCESSING_VERSION,
          status: 'RUNNING',
        },
        update: { source: opened.source.root, status: 'RUNNING', finishedAt: null },
        select: { id: true },
      });
      await db.prisma.cohort.update({
        where: { id: cohort.id },
        data: { summary: { excluded: scan.excluded.map((e) => ({ id: e.id, reason: e.reason })) } },
      });
      await queue.addFlow(
        cohortFlow(
          cohort.id,
          source,
          scan.patients.map((p) => p.key),
        ),
      );
      return reply
        .status(202)
        .header('location', `/cohorts/${cohort.id}`)
        .send({ id: cohort.id, name, patients: scan.patients.length, excluded: scan.excluded.length });
    },
  );

  app.get(
    '/cohorts/:id',
    {
      schema: {
        summary: 'Cohort ingest progress and per-class summary',
        params: idParams,
        response: { 200: cohortSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const cohort = await db.prisma.cohort.findUnique({ where: { id } });
      if (cohort === null) throw new NotFoundError(`cohort ${id} not found`);
      const classes = await db.prisma.patient.groupBy({
        by: ['mgmt'],
        where: { cohortId: id },
        _count: { _all: true },
      });
      const volumes = await db.prisma.volume.groupBy({
        by: ['status'],
        where: { patient: { cohortId: id } },
        _count: { _all: true },
      });
      const perClass = Object.fromEntries(classes.map((c) => [c.mgmt, c._count._all]));
      return {
        ...cohort,
        patients: classes.reduce((n, c) => n + c._count._all, 0),
        perClass,
        volumes: Object.fromEntries(volumes.map((v) => [v.status, v._count._all])),
      };
    },
  );
};
