import { Router } from 'express';
import { z } from 'zod';
import { INBOX_STATUSES } from '../../contract/states';
import { findInboxEvent, REPLAYABLE_STATUSES, type ReplayedRow, type ReplaySelection, requeueInboxRows } from '../../db/queries/inbox';
import { integrationOfWorkspace } from '../workspace-rows';
import { doorbellRinger } from '../../services/doorbell';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { HttpError, notFound } from '../errors';
import { instant } from '../list-query';
import { BIGINT_ID, keysetPage, pageParams } from '../pagination';
import { webhookEventDetailView, webhookEventView } from '../read-views';
import { parseBody, parseWith } from '../validate';

export const Query = z.strictObject({ ...pageParams, status: z.enum(INBOX_STATUSES).optional() });

/** An inbox row's id as the log lists it (a bigint). */
const eventId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id from GET …/webhook-events').meta({ description: 'An inbound event’s `id` from the log (not the provider’s `eventId`).' });
export const EventPath = z.object({ id: z.string(), eventId });

/** Rows one replay request queues at most: a larger backlog is replayed in several calls (`more`). */
const REPLAY_MAX_ROWS = 1000;
export const Replay = z
  .strictObject({
    status: z.array(z.enum(REPLAYABLE_STATUSES)).min(1).default(['skipped', 'failed']),
    ids: z
      .array(eventId)
      .min(1)
      .max(REPLAY_MAX_ROWS)
      .transform((ids) => [...new Set(ids)])
      .optional(),
    receivedFrom: instant.optional(),
    receivedTo: instant.optional(),
    limit: z.number().int().min(1).max(REPLAY_MAX_ROWS).optional(),
  })
  .refine((body) => !(body.receivedFrom && body.receivedTo) || body.receivedFrom < body.receivedTo, { path: ['receivedTo'], message: 'must be after receivedFrom' })
  .refine((body) => !body.ids || (!body.receivedFrom && !body.receivedTo && body.limit === undefined), {
    path: ['ids'],
    message: 'replays exactly the rows named: not with receivedFrom, receivedTo or limit',
  });

/** Where a fresh webhook would not be queued (paused: skipped; disconnected: 410), a replayed one is not either. */
const REPLAY_REFUSED: Record<string, string> = {
  paused: 'the integration is paused, and a paused integration syncs nothing: resume it first (POST /v1/integrations/{id}/resume), then replay',
  disconnected: 'the integration is disconnected: it syncs nothing any more',
};

function replayedView(row: ReplayedRow, statuses: readonly string[]) {
  const detail = row.requeued
    ? undefined
    : row.status === 'pending'
      ? 'already queued: applied when the integration drains its inbox'
      : `not replayed: its status is ${row.status}, this replay takes ${statuses.join(', ')}`;
  return {
    id: row.id,
    eventId: row.dedup_key,
    type: row.event_type,
    receivedAt: row.received_at.toISOString(),
    isTest: row.is_test,
    status: row.status,
    reason: row.reason,
    outcome: row.requeued ? ('requeued' as const) : ('unchanged' as const),
    ...(detail ? { detail } : {}),
  };
}

/**
 * `GET /v1/integrations/:id/webhook-events`: the inbound log, newest first. Every row is shown, test ones
 * too (flagged `isTest`): this is where a sender debugs its test deliveries. The list leaves payloads out
 * (they can be large); `GET …/webhook-events/:eventId` answers one event with its payload.
 * `POST /v1/integrations/:id/webhook-events/replay`: queues skipped/failed (or ignored) rows again.
 * Mounted ahead of the integrations router and claims only these paths.
 */
export function webhookEventsRouter({ db, temporal }: ApiContext): Router {
  const router = Router();
  const ring = doorbellRinger(db, temporal);
  router.get('/:id/webhook-events', async (req, res) => {
    const { workspaceId } = caller(res);
    const integration = await integrationOfWorkspace(db, workspaceId, req.params.id);
    const query = parseWith(Query, req.query, 'query');
    let select = db
      .selectFrom('inbox')
      .select(['id', 'received_at', 'dedup_key', 'event_type', 'status', 'reason', 'duplicate_count', 'last_duplicate_at', 'result', 'processed_at', 'requeued_at', 'is_test'])
      .where('workspace_id', '=', workspaceId)
      .where('integration_id', '=', integration.id);
    if (query.status) select = select.where('status', '=', query.status);
    res.json(await keysetPage(select, { at: 'received_at', id: 'id', idPattern: BIGINT_ID }, query, webhookEventView));
  });

  router.get('/:id/webhook-events/:eventId', async (req, res) => {
    const { workspaceId } = caller(res);
    const params = parseWith(EventPath, req.params, 'path');
    const integration = await integrationOfWorkspace(db, workspaceId, params.id);
    const row = await findInboxEvent(db, integration.id, params.eventId);
    if (!row) throw notFound(`webhook event ${params.eventId} of integration ${integration.id}`);
    res.json(webhookEventDetailView(row));
  });

  router.post('/:id/webhook-events/replay', async (req, res) => {
    const { workspaceId } = caller(res);
    const integration = await integrationOfWorkspace(db, workspaceId, req.params.id);
    const body = parseBody(Replay, req.body);
    const selection: ReplaySelection = body.ids
      ? { statuses: body.status, ids: body.ids }
      : { statuses: body.status, receivedFrom: body.receivedFrom, receivedTo: body.receivedTo, limit: body.limit ?? REPLAY_MAX_ROWS };
    const { rows, more } = await db.transaction().execute(async (trx) => {
      // Shared lock on the integration: a pause or disconnect (which updates it) waits for this replay, and
      // no replay commits after one of them did.
      const { state } = await trx.selectFrom('integrations').select('state').where('id', '=', integration.id).forShare().executeTakeFirstOrThrow();
      const refused = REPLAY_REFUSED[state];
      if (refused) throw new HttpError(409, 'replay_refused', refused.replace('{id}', integration.id));
      return requeueInboxRows(trx, integration.id, selection);
    });
    const requeued = rows.filter((row) => row.requeued).length;
    if (requeued > 0) await ring(integration.id);
    const seen = new Set(rows.map((row) => row.id));
    const missing = (body.ids ?? []).filter((id) => !seen.has(id)).map((id) => ({ id, outcome: 'not_found' as const }));
    res.json({ requeued, more, data: [...rows.map((row) => replayedView(row, body.status)), ...missing] });
  });
  return router;
}
