import { Router } from 'express';
import { integrationOfWorkspace } from '../workspace-rows';
import { diagnose } from '../../services/diagnostics';
import { logger } from '../../lib/logger';
import { runIntegrationTest } from '../../services/test-run';
import { caller } from '../auth';
import type { ApiContext } from '../context';

/**
 * `POST /v1/integrations/:id/test` (the provider's testing checklist, end to end, as test data) and
 * `GET /v1/integrations/:id/diagnostics` (known failure scenarios detected from the data).
 */
export function integrationChecksRouter(ctx: ApiContext): Router {
  const { db } = ctx;
  const router = Router();

  router.post('/:id/test', async (req, res) => {
    const { workspaceId } = caller(res);
    const row = await integrationOfWorkspace(db, workspaceId, req.params.id);
    const report = await runIntegrationTest(ctx, row);
    logger.info({ workspaceId, integrationId: row.id, provider: row.provider, passed: report.passed, failed: report.steps.filter((s) => !s.ok).map((s) => s.name) }, 'integration test run');
    res.json(report);
  });

  router.get('/:id/diagnostics', async (req, res) => {
    const row = await integrationOfWorkspace(db, caller(res).workspaceId, req.params.id);
    const findings = await diagnose(ctx, row);
    res.json({ integrationId: row.id, provider: row.provider, state: row.state, checkedAt: new Date().toISOString(), findings });
  });

  return router;
}
