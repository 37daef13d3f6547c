import { Router } from 'express';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { found, listPage, listQuery } from '../list-query';
import { customerView } from '../read-views';
import { parseWith } from '../validate';

/** Customers have no type and are their own customer: only the shared filters apply. */
export const Query = listQuery({});

/** `GET /v1/customers[/:id]`: newest first by when Linquid first saw them. */
export function customersRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseWith(Query, req.query, 'query');
    const select = db.selectFrom('customers').selectAll().where('workspace_id', '=', caller(res).workspaceId);
    res.json(await listPage(select, 'created_at', query, customerView));
  });
  router.get('/:id', async (req, res) => {
    const row = await db.selectFrom('customers').selectAll().where('workspace_id', '=', caller(res).workspaceId).where('id', '=', req.params.id).executeTakeFirst();
    res.json(customerView(found(row, `customer ${req.params.id}`)));
  });
  return router;
}
