import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../contract/states';
import { envelopeOf } from '../../db/queries/deliveries';
import { deliveryOfWorkspace, integrationOfWorkspace } from '../workspace-rows';
import { assignBatches, destinationOf, startDeliveryBatches } from '../../services/delivery-workflows';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { attemptView, deliveryView, healthView } from '../delivery-views';
import { HttpError, notFound } from '../errors';
import { keysetPage, pageParams } from '../pagination';
import { parseWith } from '../validate';

export const ListQuery = z.strictObject({ ...pageParams, status: z.enum(DELIVERY_STATUSES).optional() });

const refused = (message: string) => new HttpError(409, 'redelivery_refused', message);

/** `GET /v1/integrations/:id/deliveries`: a destination's deliveries, newest first, with its health. */
export function integrationDeliveriesRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/:id/deliveries', async (req, res) => {
    const integration = await integrationOfWorkspace(db, caller(res).workspaceId, req.params.id);
    const query = parseWith(ListQuery, req.query, 'query');
    let select = db.selectFrom('deliveries').selectAll().where('integration_id', '=', integration.id);
    if (query.status) select = select.where('status', '=', query.status);
    const page = await keysetPage(select, { at: 'deliveries.created_at', id: 'deliveries.id' }, query, deliveryView);
    res.json({ ...page, health: healthView(integration) });
  });
  return router;
}

/** `GET /v1/deliveries/:id` (with every attempt) and `POST /v1/deliveries/:id/redeliver`. */
export function deliveriesRouter({ db, temporal, config }: ApiContext): Router {
  const router = Router();
  router.get('/:id', async (req, res) => {
    const delivery = await deliveryOfWorkspace(db, caller(res).workspaceId, req.params.id);
    const [event, attempts] = await Promise.all([
      db.selectFrom('events').selectAll().where('id', '=', delivery.event_id).executeTakeFirstOrThrow(),
      db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', delivery.id).orderBy('attempt').execute(),
    ]);
    res.json({ ...deliveryView(delivery), event: envelopeOf(event), attempts: attempts.map(attemptView) });
  });

  /** A new round of the same delivery: same event, same `webhook-id`, so the receiver can dedupe. */
  router.post('/:id/redeliver', async (req, res) => {
    const { workspaceId } = caller(res);
    const { queued, batches } = await db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('deliveries')
        .innerJoin('events', 'events.id', 'deliveries.event_id')
        .innerJoin('integrations', 'integrations.id', 'deliveries.integration_id')
        .select(['deliveries.status', 'events.is_test', 'integrations.state', 'integrations.id', 'integrations.workspace_id', 'integrations.provider', 'integrations.task_queue'])
        .where('deliveries.id', '=', req.params.id)
        .where('deliveries.workspace_id', '=', workspaceId)
        .forUpdate('deliveries')
        .executeTakeFirst();
      if (!found) throw notFound(`delivery ${req.params.id}`);
      if (found.is_test) throw refused('test events are never sent to destinations');
      if (found.status === 'pending' || found.status === 'delivering') throw refused(`the delivery is ${found.status}: wait for it to finish`);
      if (found.state !== 'active') throw refused(`the destination is ${found.state}: it must be active to receive a redelivery`);
      const row = await trx
        .updateTable('deliveries')
        .set({ status: 'pending', round: sql`round + 1`, reason: 'redelivery requested', next_attempt_at: null, updated_at: new Date() })
        .where('id', '=', req.params.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { queued: row, batches: await assignBatches(trx, destinationOf(found), [{ deliveryId: row.id, round: row.round }]) };
    });
    await startDeliveryBatches(temporal, config, batches);
    // The new round as queued: by the time a re-read ran, a worker may already be sending it.
    res.status(202).json(deliveryView(queued));
  });
  return router;
}
