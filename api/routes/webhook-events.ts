import { Router } from 'express';
import { z } from 'zod';
import { integrationOfWorkspace } from '../../db/queries/integrations';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { keysetPage, pageParams } from '../pagination';
import { webhookEventView } from '../read-views';
import { parseWith } from '../validate';

const INBOX_STATUSES = ['pending', 'processed', 'ignored', 'failed', 'skipped'] as const;
const Query = z.strictObject({ ...pageParams, status: z.enum(INBOX_STATUSES).optional() });

/**
 * `GET /v1/integrations/:id/webhook-events`: the inbound log, newest first. Mounted ahead of the
 * integrations router and claims only this path. Every row is shown, test ones too (flagged
 * `isTest`): this is where a sender debugs its test deliveries.
 */
export function webhookEventsRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/:id/webhook-events', async (req, res) => {
    const { workspaceId } = caller(res);
    const integration = await integrationOfWorkspace(db, workspaceId, req.params.id);
    const query = parseWith(Query, req.query, 'query');
    let select = db
      .selectFrom('inbox')
      .select(['id', 'received_at', 'dedup_key', 'event_type', 'status', 'reason', 'duplicate_count', 'last_duplicate_at', 'result', 'processed_at', 'is_test'])
      .where('workspace_id', '=', workspaceId)
      .where('integration_id', '=', integration.id);
    if (query.status) select = select.where('status', '=', query.status);
    res.json(await keysetPage(select, { at: 'received_at', id: 'id' }, query, webhookEventView));
  });
  return router;
}
