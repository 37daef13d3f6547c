import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { found, idParam, listPage, listQuery } from '../list-query';
import { eventView } from '../read-views';
import { parseWith } from '../validate';

export const Query = listQuery({
  type: z.string().regex(/^[a-z][a-z_]*(\.[a-z_]+)+$/, 'an event type such as sale.created').optional(),
  customerId: idParam('cus').optional(),
});

/** `GET /v1/events[/:id]`: the workspace events (what destinations are sent), newest first. */
export function workspaceEventsRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseWith(Query, req.query, 'query');
    let select = db.selectFrom('events').selectAll().where('workspace_id', '=', caller(res).workspaceId);
    if (query.type) select = select.where('type', '=', query.type);
    // Customer and conversion events both carry the customer as data.customer (see db/queries/conversions).
    if (query.customerId) select = select.where(sql<string>`data->'customer'->>'id'`, '=', query.customerId);
    res.json(await listPage(select, 'created_at', query, eventView));
  });
  router.get('/:id', async (req, res) => {
    const row = await db.selectFrom('events').selectAll().where('workspace_id', '=', caller(res).workspaceId).where('id', '=', req.params.id).executeTakeFirst();
    res.json(eventView(found(row, `event ${req.params.id}`)));
  });
  return router;
}
