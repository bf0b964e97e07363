import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '@spottune/db';
import { createExperimentsRepository } from '@spottune/jobs';
import { errorResponses, idParams } from '../schemas/common.ts';
import { trialDetailSchema } from '../schemas/experiments.ts';

/** One trial with its epoch curves (train and val) and checkpoints. */
export const trialRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  const repo = createExperimentsRepository(db);
  app.get(
    '/trials/:id',
    {
      schema: {
        summary: 'Trial with its epoch curves',
        params: idParams,
        response: { 200: trialDetailSchema, ...errorResponses },
      },
    },
    async (request) => repo.trial((request.params as { id: string }).id),
  );
};
