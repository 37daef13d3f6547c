import { Router } from 'express';
import { z } from 'zod';
import { CONVERSION_TYPES } from '../../contract/workspace-events';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { found, idParam, listPage, listQuery } from '../list-query';
import { conversionView } from '../read-views';
import { parseWith } from '../validate';

export const Query = listQuery({ type: z.enum(CONVERSION_TYPES).optional(), customerId: idParam('cus').optional() });

/** `GET /v1/conversions[/:id]`: newest `occurredAt` first. */
export function conversionsRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseWith(Query, req.query, 'query');
    let select = db.selectFrom('conversions').selectAll().where('workspace_id', '=', caller(res).workspaceId);
    if (query.type) select = select.where('type', '=', query.type);
    if (query.customerId) select = select.where('customer_id', '=', query.customerId);
    res.json(await listPage(select, 'occurred_at', query, conversionView));
  });
  router.get('/:id', async (req, res) => {
    const row = await db.selectFrom('conversions').selectAll().where('workspace_id', '=', caller(res).workspaceId).where('id', '=', req.params.id).executeTakeFirst();
    res.json(conversionView(found(row, `conversion ${req.params.id}`)));
  });
  return router;
}
