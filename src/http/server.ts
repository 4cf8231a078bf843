import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface Readiness {
  ready: boolean;
  role: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface HttpDependencies {
  log: Logger;
  /** Prometheus text of every metric (gauges read at scrape by their collect()). */
  metrics(): Promise<string>;
  contentType: string;
  /** From memory: the store probes run in the background, never per request. */
  readiness(): Readiness;
  status(): Record<string, unknown>;
}

/** /healthz, /readyz, /metrics, /status: served by every replica, leader or standby. */
export function buildHttpServer(deps: HttpDependencies): FastifyInstance {
  const app = Fastify({
    // The cast fixes the instance's logger type to the FastifyInstance this function returns (tsc needs it).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // Probes and scrapes every few seconds would drown the log.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });

  // Alive while the process and its event loop are: never depends on Postgres, Redis or Kalshi.
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', (_request, reply) => {
    const readiness = deps.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({
      status: readiness.ready ? 'ready' : 'not ready',
      role: readiness.role,
      checks: readiness.checks,
    });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics();
    return reply.type(deps.contentType).send(body);
  });

  app.get('/status', (_request, reply) => reply.send(deps.status()));

  return app;
}
