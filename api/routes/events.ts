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
 * How long a dispatch pass started by a POST waits for the events posted after it: a burst then goes out
 * in a few delivery workflows, for at most this much more latency per event.
 */
const DISPATCH_GATHER_MS = 100;

/**
 * `POST /v1/events`: the core platform announces a workspace event; it gets an `evt_…` id and is
 * forwarded to the subscribed destinations. With an `Idempotency-Key`, a repeat returns the first
 * event (200) and sends nothing again; the key with another type or data is a 422, as at Stripe (a
 * silent first event would hide that the second one was never recorded).
 */
export function eventsRouter(ctx: ApiContext): Router {
  const { db } = ctx;
  const dispatch = outboxDispatcher(ctx, { gatherMs: DISPATCH_GATHER_MS });
  const router = Router();
  router.post('/', async (req, res) => {
    const { workspaceId } = caller(res);
    const event = parseBody(postedEventSchema, req.body);
    const idempotencyKey = parseWith(IdempotencyKey, req.get('idempotency-key'), 'headers.idempotency-key');
    // One statement (the event and its outbox row commit together): no BEGIN/COMMIT round trips.
    const emitted = await emitWorkspaceEvent(db, { workspaceId, ...event, idempotencyKey });
    if (!emitted.sameRequest) throw keyReused(idempotencyKey!, emitted.id);
    // Not awaited: the answer does not wait for delivery planning.
    if (emitted.created) void dispatch();
    // A new event is what was posted, as recorded; a repeat returns the first one as stored.
    const row = emitted.created
      ? { id: emitted.id, type: event.type, created_at: emitted.createdAt, workspace_id: workspaceId, data: event.data }
      : await db.selectFrom('events').selectAll().where('id', '=', emitted.id).executeTakeFirstOrThrow();
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
