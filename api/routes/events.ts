import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { json } from 'express';
import { z } from 'zod';
import { postedEventSchema } from '../../contract/workspace-event-payloads';
import { envelopeOf } from '../../db/queries/deliveries';
import { workspaceEventRecorder } from '../../db/queries/events';
import { outboxDispatcher } from '../../services/outbox-dispatch';
import type { BackgroundWork } from '../../lib/background';
import { answer, answerFailure, bodyReader, type EndpointAheadOfExpress } from '../ahead-of-express';
import type { ResolveCaller } from '../auth';
import type { ApiContext } from '../context';
import { HttpError, invalid } from '../errors';
import { unsafeInputIssues } from '../input-guard';
import { parseBody, parseWith } from '../validate';

export const IdempotencyKey = z.string().min(1).max(255).optional();

/**
 * How long a dispatch pass started by a POST waits for the events posted after it: a burst then goes out
 * in a few delivery workflows, for at most this much more latency per event.
 */
const DISPATCH_GATHER_MS = 100;

/** The endpoint, declared for whoever lists the API's routes (it is not an Express route). */
export const POST_EVENTS_ROUTE = { method: 'POST', path: '/v1/events' } as const;
/** `/v1/events`, a trailing slash and a query allowed, any case (as Express matches routes). */
const POST_EVENTS_PATH = /^\/v1\/events\/?(?:\?(.*))?$/i;

/**
 * `POST /v1/events`: the core platform announces a workspace event; it gets an `evt_…` id and is
 * forwarded to the subscribed destinations. With an `Idempotency-Key`, a repeat returns the first
 * event (200) and sends nothing again; the key with another type or data is a 422, as at Stripe (a
 * silent first event would hide that the second one was never recorded).
 *
 * Served ahead of Express (see api/ahead-of-express.ts) with what the `/v1` stack did for it, in its
 * order: the JSON body within the size limit (`express.json`), the input guard on the query and body,
 * the API key, then the route's own validation; the events of concurrent POSTs are written together
 * (workspaceEventRecorder).
 */
export function eventsEndpoint(ctx: ApiContext, resolveCaller: ResolveCaller, background: BackgroundWork): EndpointAheadOfExpress {
  const { db, config } = ctx;
  const dispatchPass = outboxDispatcher(ctx, { gatherMs: DISPATCH_GATHER_MS });
  const dispatch = () => background.run(dispatchPass);
  const record = workspaceEventRecorder(db);
  const readBody = bodyReader<unknown>(json({ limit: config.bodyLimitBytes }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req, res);
    const query = POST_EVENTS_PATH.exec(req.url ?? '')?.[1];
    const unsafe = [...unsafeInputIssues(query === undefined ? {} : parseQuery(query), ['query']), ...unsafeInputIssues(body)];
    if (unsafe.length > 0) throw invalid(unsafe);
    const { workspaceId } = await resolveCaller(req.headers.authorization);
    const event = parseBody(postedEventSchema, body);
    const idempotencyKey = parseWith(IdempotencyKey, req.headers['idempotency-key'], 'headers.idempotency-key');
    const emitted = await record({ workspaceId, ...event, idempotencyKey });
    if (!emitted.sameRequest) throw keyReused(idempotencyKey!, emitted.id);
    // Not awaited: the answer does not wait for delivery planning.
    if (emitted.created) void dispatch();
    // A new event is what was posted, as recorded; a repeat returns the first one as stored.
    const row = emitted.created
      ? { id: emitted.id, type: event.type, created_at: emitted.createdAt, workspace_id: workspaceId, data: event.data }
      : await db.selectFrom('events').selectAll().where('id', '=', emitted.id).executeTakeFirstOrThrow();
    answer(res, emitted.created ? 201 : 200, envelopeOf(row));
  };

  return (req, res) => {
    if (req.method !== 'POST' || !POST_EVENTS_PATH.test(req.url ?? '')) return false;
    handle(req, res).catch((error: unknown) => answerFailure(res, error, 'POST', (req.url ?? '').split('?', 1)[0]));
    return true;
  };
}

function keyReused(key: string, firstEventId: string): HttpError {
  const message =
    `Idempotency-Key ${JSON.stringify(key)} was first used with a different type or data (event ${firstEventId}): ` +
    'repeat that request to get its event back, or send a new key for a new event';
  return new HttpError(422, 'idempotency_key_reused', message, [{ path: 'headers.idempotency-key', message }]);
}
