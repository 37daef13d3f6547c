import { Router } from 'express';
import { z } from 'zod';
import { postedEventSchema } from '../../contract/workspace-event-payloads';
import { envelopeOf } from '../../db/queries/deliveries';
import { emitWorkspaceEvent } from '../../db/queries/events';
import { outboxDispatcher } from '../../services/outbox-dispatch';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { parseBody, parseWith } from '../validate';

export const IdempotencyKey = z.string().min(1).max(255).optional();

/**
 * `POST /v1/events`: the core platform announces a workspace event; it gets an `evt_…` id and is
 * forwarded to the subscribed destinations. With an `Idempotency-Key`, a repeat returns the first
 * event (200) and sends nothing again; the key with another type or data is a 422, as at Stripe (a
 * silent first event would hide that the second one was never recorded).
 */
export function eventsRouter(ctx: ApiContext): Router {
  const { db } = ctx;
  const dispatch = outboxDispatcher(ctx);
  const router = Router();
  router.post('/', async (req, res) => {
    const { workspaceId } = caller(res);
    const event = parseBody(postedEventSchema, req.body);
    const idempotencyKey = parseWith(IdempotencyKey, req.get('idempotency-key'), 'headers.idempotency-key');
    const emitted = await db.transaction().execute((trx) => emitWorkspaceEvent(trx, { workspaceId, ...event, idempotencyKey }));
    if (!emitted.sameRequest) throw keyReused(idempotencyKey!, emitted.id);
    // Not awaited: the answer does not wait for delivery planning, and a burst shares few dispatch passes.
    if (emitted.created) void dispatch();
    const row = await db.selectFrom('events').selectAll().where('id', '=', emitted.id).executeTakeFirstOrThrow();
    res.status(emitted.created ? 201 : 200).json(envelopeOf(row));
  });
  return router;
}

function keyReused(key: string, firstEventId: string): HttpError {
  const message =
    `Idempotency-Key ${JSON.stringify(key)} was first used with a different type or data (event ${firstEventId}): ` +
    'repeat that request to get its event back, or send a new key for a new event';
  return new HttpError(422, 'idempotency_key_reused', message, [{ path: 'headers.idempotency-key', message }]);
}
