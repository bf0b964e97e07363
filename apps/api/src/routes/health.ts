import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '@spottune/db';
import type { ObjectStore } from '@spottune/storage';
import { coerceError } from '@spottune/errors';
import type { QueueProducer } from '@spottune/jobs';

const checkSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { ok: { type: 'boolean' }, ms: { type: 'number' }, error: { type: 'string' } },
      },
    },
  },
} as const;

/** Time each check; a check fails when it throws or takes longer than 2 s. */
async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - start), error: coerceError(e).message };
  } finally {
    clearTimeout(timer);
  }
}

/** `/health`: the process answers (liveness). `/ready`: database, queue and storage answer (readiness). */
export const healthRoutes: FastifyPluginAsync<{ db: Db; queue: QueueProducer; store: ObjectStore }> = async (
  app,
  { db, queue, store },
) => {
  app.get(
    '/health',
    {
      config: { auth: false },
      schema: {
        summary: 'Liveness',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    {
      config: { auth: false },
      schema: {
        summary: 'Readiness: database, queue, storage',
        response: { 200: checkSchema, 503: checkSchema },
      },
    },
    async (_request, reply) => {
      const checks = {
        database: await check(() => db.prisma.$queryRaw`SELECT 1`),
        queue: await check(() => queue.ping()),
        storage: await check(() => store.ensureReady()),
      };
      const ok = Object.values(checks).every((c) => c.ok);
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
    },
  );
};
