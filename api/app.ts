import { createServer, type Server } from 'node:http';
import express, { Router } from 'express';
import { sql } from 'kysely';
import { inboxBacklog } from '../db/queries/health';
import { BackgroundWork } from '../lib/background';
import { logger } from '../lib/logger';
import { providerRoutes } from './routes/provider-routes';
import { metrics, registry } from '../lib/metrics';
import { adminUi } from './admin-ui';
import type { EndpointAheadOfExpress } from './ahead-of-express';
import { apiKeyResolver, requireApiKey, type ResolveCaller } from './auth';
import type { ApiContext } from './context';
import { errorHandler, notFound } from './errors';
import { InboundIntegrations } from './inbound-integrations';
import { refuseUndecodablePath, refuseUnsafeInput } from './input-guard';
import { docsRouter, sendOpenApiDocument } from './openapi/docs';
import { analyticsRouter } from './routes/analytics';
import { conversionsRouter } from './routes/conversions';
import { customersRouter } from './routes/customers';
import { deliveriesRouter, integrationDeliveriesRouter } from './routes/deliveries';
import { eventsEndpoint, POST_EVENTS_ROUTE } from './routes/events';
import { integrationChecksRouter } from './routes/integration-checks';
import { integrationsRouter } from './routes/integrations';
import { providersRouter } from './routes/providers';
import { secretsRouter } from './routes/secrets';
import { transitionsRouter } from './routes/transitions';
import { webhookEventsRouter } from './routes/webhook-events';
import { WEBHOOK_ROUTE, webhookEndpoint } from './routes/webhooks';
import { workspaceEventsRouter } from './routes/workspace-events';
import { workspacesRouter } from './routes/workspaces';

function createApp(ctx: ApiContext, resolveCaller: ResolveCaller): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(refuseUndecodablePath);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([
      sql`select 1`.execute(ctx.db),
      ctx.temporal.connection.workflowService.getSystemInfo({}),
    ]);
    const [database, temporal] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const ready = database === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', database, temporal });
  });
  app.get('/metrics', async (_req, res) => {
    // The backlog is a fact of the database, not of this process: read it at scrape time.
    try {
      const backlog = await inboxBacklog(ctx.db);
      metrics.inboxBacklog.set(backlog.pending);
      metrics.inboxOldestPending.set(backlog.oldestAgeSeconds);
    } catch (error) {
      logger.warn({ err: error }, 'could not read the inbox backlog for /metrics');
    }
    res.type(registry.contentType).send(await registry.metrics());
  });

  // Providers' own endpoints without an API key (Slack sends the installer's browser to its OAuth callback).
  for (const route of providerRoutes) {
    if ('public' in route.mount) app.use(route.mount.public, refuseUnsafeInput, route.router(ctx));
  }

  const v1 = Router();
  v1.use(express.json({ limit: ctx.config.bodyLimitBytes }), refuseUnsafeInput);
  // The contract is public: the UI and client generators read it before they have a key.
  v1.get('/openapi.json', sendOpenApiDocument);
  v1.use('/workspaces', workspacesRouter(ctx));
  v1.use(requireApiKey(resolveCaller));
  // Before the integrations router, so `slack` in /integrations/slack/install is not taken for an integration id.
  for (const route of providerRoutes) {
    if ('v1' in route.mount) v1.use(route.mount.v1, route.router(ctx));
  }
  v1.use('/providers', providersRouter());
  v1.use('/integrations', integrationDeliveriesRouter(ctx));
  v1.use('/integrations', secretsRouter(ctx));
  // Claim only /:id/webhook-events(/replay) and /:id/transitions; everything else falls through to the integrations router.
  v1.use('/integrations', webhookEventsRouter(ctx));
  v1.use('/integrations', transitionsRouter(ctx));
  v1.use('/integrations', integrationChecksRouter(ctx));
  v1.use('/integrations', integrationsRouter(ctx));
  v1.use('/conversions', conversionsRouter(ctx));
  v1.use('/customers', customersRouter(ctx));
  v1.use('/events', workspaceEventsRouter(ctx));
  v1.use('/deliveries', deliveriesRouter(ctx));
  v1.use('/analytics', analyticsRouter(ctx));
  app.use('/v1', v1);
  app.use('/docs', docsRouter());
  app.use(adminUi());

  app.use((req) => {
    throw notFound(`route ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}

/** The routes answered before the Express app sees the request (they are not in its router stack). */
export const ROUTES_AHEAD_OF_EXPRESS = [WEBHOOK_ROUTE, POST_EVENTS_ROUTE];

export interface RunningApi {
  server: Server;
  /** The Express app itself (its router stack lists every route but ROUTES_AHEAD_OF_EXPRESS: the hostile-input test walks it). */
  app: express.Express;
  /** Stops taking requests, waits for the dispatches and doorbells they started, then closes the integration change feed. */
  close(): Promise<void>;
}

/** The API listening on `port` (0: any free one), with the change feed its webhook endpoint relies on. */
export async function serveApi(deps: Omit<ApiContext, 'inbound'>, port: number, host?: string): Promise<RunningApi> {
  const inbound = await InboundIntegrations.open(deps.db, deps.box, deps.config.databaseUrl, deps.config.databaseConnectTimeoutMs);
  const ctx = { ...deps, inbound };
  // One key cache for the app's /v1 routes and POST /v1/events.
  const resolveCaller = apiKeyResolver(deps.db);
  const app = createApp(ctx, resolveCaller);
  // What the hot paths start after answering: the caller destroys the pool after `close`, so close waits for it.
  const background = new BackgroundWork();
  // The hot paths (provider webhooks, posted events) are answered ahead of Express; every other request goes to the app.
  const endpoints: EndpointAheadOfExpress[] = [webhookEndpoint(ctx, background), eventsEndpoint(ctx, resolveCaller, background)];
  const server = createServer((req, res) => {
    if (!endpoints.some((endpoint) => endpoint(req, res))) app(req, res);
  });
  if (host) server.listen(port, host);
  else server.listen(port);
  await new Promise<void>((ready, failed) => server.once('listening', ready).once('error', failed));
  return {
    server,
    app,
    close: async () => {
      await new Promise<void>((closed) => server.close(() => closed()));
      await background.stop();
      await inbound.close();
    },
  };
}
