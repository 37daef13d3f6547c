import express, { Router } from 'express';
import { sql } from 'kysely';
import { registry } from '../lib/metrics';
import { requireApiKey } from './auth';
import type { ApiContext } from './context';
import { errorHandler, notFound } from './errors';
import { integrationsRouter } from './routes/integrations';
import { providersRouter } from './routes/providers';
import { webhooksRouter } from './routes/webhooks';
import { workspacesRouter } from './routes/workspaces';

export function createApp(ctx: ApiContext): express.Express {
  const app = express();
  app.disable('x-powered-by');

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
    res.type(registry.contentType).send(await registry.metrics());
  });

  // Provider webhooks: the raw body is kept byte for byte, signatures are computed over it.
  app.use('/webhooks', express.raw({ type: () => true, limit: ctx.config.bodyLimitBytes }), webhooksRouter(ctx));

  const v1 = Router();
  v1.use(express.json({ limit: ctx.config.bodyLimitBytes }));
  v1.use('/workspaces', workspacesRouter(ctx));
  v1.use(requireApiKey(ctx.db));
  v1.use('/providers', providersRouter());
  v1.use('/integrations', integrationsRouter(ctx));
  app.use('/v1', v1);

  app.use((req) => {
    throw notFound(`route ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}
