import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueProducer } from '@spottune/jobs';

/**
 * Prometheus `/metrics`: HTTP request counts and latency by route template and status, process
 * metrics, and BullMQ job counts by queue and state (read from Redis at scrape time). One registry
 * per app instance, so tests can build several apps in one process.
 */
export const metricsPlugin = fp<{ queue: QueueProducer }>(
  async (app, { queue }) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'spottune_api_' });
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: 'spottune_http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'spottune_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status code',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new Gauge({
      name: 'spottune_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const counts = await queue.counts();
        for (const [q, states] of Object.entries(counts)) {
          for (const [state, n] of Object.entries(states)) this.set({ queue: q, state }, n);
        }
      },
    });
    app.addHook('onResponse', async (request, reply) => {
      // The route template, not the URL: ids must not explode the label cardinality.
      const route = request.routeOptions.url ?? 'unmatched';
      const labels = { method: request.method, route, status_code: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { config: { auth: false }, schema: { hide: true } }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: 'metrics' },
);
