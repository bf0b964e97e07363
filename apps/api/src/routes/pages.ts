import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '@spottune/db';
import { ValidationError } from '@spottune/errors';
import { loadReportModel, renderDashboard, renderReport, type DashboardExperiment } from '@spottune/report';
import { SESSION_COOKIE } from '../plugins/auth.ts';
import { idParams } from '../schemas/common.ts';

/** How many experiments the dashboard lists (newest first). */
const DASHBOARD_LIMIT = 50;

/**
 * The HTML pages: the live dashboard at `/` and each experiment's report. Both need the `read`
 * scope like the JSON routes; browsers authenticate once through `/login?token=…`, which stores the
 * token in an HttpOnly, SameSite=Strict cookie.
 */
export const pageRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/login',
    {
      config: { auth: false },
      schema: {
        summary: 'Store an API token in a session cookie and open the dashboard (for browsers)',
        querystring: {
          type: 'object',
          required: ['token'],
          properties: { token: { type: 'string', minLength: 8 } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { token } = request.query as { token: string };
      if (/[;\s]/.test(token))
        throw new ValidationError('token contains invalid characters', { details: { field: 'token' } });
      return reply
        .header(
          'set-cookie',
          `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        )
        .redirect('/', 303);
    },
  );

  app.get('/', { schema: { summary: 'Live dashboard (HTML)' } }, async (_request, reply) => {
    const experiments = await db.prisma.experiment.findMany({
      orderBy: { createdAt: 'desc' },
      take: DASHBOARD_LIMIT,
      include: { trials: { orderBy: [{ network: 'asc' }, { modality: 'asc' }, { fold: 'asc' }] } },
    });
    const view: DashboardExperiment[] = experiments.map((e) => ({
      id: e.id,
      name: e.name,
      status: e.status,
      createdAt: e.createdAt.toISOString(),
      trials: e.trials.map((t) => ({
        id: t.id,
        network: t.network,
        modality: t.modality,
        fold: t.fold,
        status: t.status,
        progress: trialProgress(t.status, t.progress, t.hyperparameters),
      })),
    }));
    return reply.type('text/html; charset=utf-8').send(renderDashboard(view));
  });

  app.get(
    '/experiments/:id/report',
    { schema: { summary: 'The experiment report (self-contained HTML)', params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return reply.type('text/html; charset=utf-8').send(renderReport(await loadReportModel(db.prisma, id)));
    },
  );
};

/**
 * 0..1 from the worker's last progress report ({ epoch, batch, batches }, the epoch count from the
 * report or the trial's hyperparameters) and the status.
 */
export function trialProgress(status: string, progress: unknown, hyperparameters?: unknown): number {
  if (status === 'SUCCEEDED') return 1;
  if (status !== 'RUNNING' || progress === null || typeof progress !== 'object') return 0;
  const p = progress as Record<string, unknown>;
  const num = (k: string) =>
    typeof p[k] === 'number' && Number.isFinite(p[k]) ? (p[k] as number) : undefined;
  const planned = (hyperparameters as { epochs?: unknown } | null | undefined)?.epochs;
  const epochs = num('epochs') ?? (typeof planned === 'number' ? planned : undefined);
  const epoch = num('epoch');
  if (epochs === undefined || epoch === undefined || epochs <= 0) return 0;
  const batches = num('batches');
  const batch = num('batch');
  const within = batches !== undefined && batch !== undefined && batches > 0 ? batch / batches : 0;
  return Math.min(1, Math.max(0, (epoch - 1 + within) / epochs));
}
