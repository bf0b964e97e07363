import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '@spottune/db';
import { ValidationError } from '@spottune/errors';
import {
  ExperimentRequestSchema,
  createExperiment,
  createExperimentsRepository,
  experimentRequestJsonSchema,
  type QueueProducer,
} from '@spottune/jobs';
import { errorResponses, idParams } from '../schemas/common.ts';
import {
  createdExperimentSchema,
  experimentDetailSchema,
  experimentSummarySchema,
  resultsSchema,
} from '../schemas/experiments.ts';

export interface ExperimentRoutesOptions {
  db: Db;
  queue: QueueProducer;
}

/**
 * Experiments: submit (one flow per experiment), list, status with per-trial progress, results, cancel.
 * A repeated POST with the same Idempotency-Key answers 200 with the first experiment (201 the first
 * time) and enqueues nothing.
 */
export const experimentRoutes: FastifyPluginAsync<ExperimentRoutesOptions> = async (app, { db, queue }) => {
  const repo = createExperimentsRepository(db);

  app.post(
    '/experiments',
    {
      schema: {
        summary: 'Submit an experiment',
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
        },
        body: experimentRequestJsonSchema(),
        response: { 200: createdExperimentSchema, 201: createdExperimentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      // The JSON schema checked the shape; zod fills defaults and checks what JSON schema cannot.
      const parsed = ExperimentRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.');
        throw new ValidationError(`${field}: ${issue.message}`, { details: { field } });
      }
      const key = request.headers['idempotency-key'];
      const result = await createExperiment(db, parsed.data, {
        idempotencyKey: typeof key === 'string' ? key : undefined,
      });
      if (result.created) {
        try {
          await queue.addFlow(result.flow);
        } catch (e) {
          await db.prisma.experiment.update({
            where: { id: result.experimentId },
            data: { status: 'FAILED', failureReason: 'could not enqueue the flow', finishedAt: new Date() },
          });
          throw e;
        }
      }
      const { status } = await db.prisma.experiment.findUniqueOrThrow({
        where: { id: result.experimentId },
        select: { status: true },
      });
      return reply
        .status(result.created ? 201 : 200)
        .header('location', `/experiments/${result.experimentId}`)
        .send({ id: result.experimentId, status, trials: result.trials, created: result.created });
    },
  );

  app.get(
    '/experiments',
    {
      schema: {
        summary: 'List experiments, newest first',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: experimentSummarySchema } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query as { limit: number; offset: number };
      return { items: await repo.list(limit, offset) };
    },
  );

  app.get(
    '/experiments/:id',
    {
      schema: {
        summary: 'Experiment status and per-trial progress',
        params: idParams,
        response: { 200: experimentDetailSchema, ...errorResponses },
      },
    },
    async (request) => repo.get((request.params as { id: string }).id),
  );

  app.get(
    '/experiments/:id/results',
    {
      schema: {
        summary: 'Ensemble tables and statistical tests',
        params: idParams,
        response: { 200: resultsSchema, ...errorResponses },
      },
    },
    async (request) => repo.results((request.params as { id: string }).id),
  );

  app.post(
    '/experiments/:id/cancel',
    {
      schema: {
        summary: 'Cancel an experiment: unfinished trials are marked CANCELLED, waiting jobs removed',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              status: { type: 'string' },
              cancelledTrials: { type: 'integer' },
              removedJobs: { type: 'integer' },
            },
            required: ['id', 'status', 'cancelledTrials', 'removedJobs'],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { jobIds, status } = await repo.cancel(id);
      // Running jobs see CANCELLED at their next batch (they poll the trial row) and checkpoint first.
      const removedJobs = await queue.removeWaiting(jobIds);
      return { id, status, cancelledTrials: jobIds.length, removedJobs };
    },
  );
};
