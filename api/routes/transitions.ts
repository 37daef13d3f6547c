import { Router } from 'express';
import { z } from 'zod';
import { integrationOfWorkspace } from '../workspace-rows';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { BIGINT_ID, keysetPage, pageParams } from '../pagination';
import { transitionView } from '../read-views';
import { parseWith } from '../validate';

export const Query = z.strictObject({ ...pageParams });

/**
 * `GET /v1/integrations/:id/transitions`: the audit trail, newest first — install, every lifecycle
 * transition, settings change and re-authorization, with who asked and why. Mounted ahead of the
 * integrations router and claims only this path.
 */
export function transitionsRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/:id/transitions', async (req, res) => {
    const { workspaceId } = caller(res);
    const integration = await integrationOfWorkspace(db, workspaceId, req.params.id);
    const query = parseWith(Query, req.query, 'query');
    const select = db
      .selectFrom('integration_transitions')
      .select(['id', 'occurred_at', 'action', 'from_state', 'to_state', 'actor', 'reason'])
      .where('workspace_id', '=', workspaceId)
      .where('integration_id', '=', integration.id);
    res.json(await keysetPage(select, { at: 'occurred_at', id: 'id', idPattern: BIGINT_ID }, query, transitionView));
  });
  return router;
}
