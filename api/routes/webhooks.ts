import { type Request, Router } from 'express';
import { sql } from 'kysely';
import type { InboxStatus } from '../../contract/states';
import type { Db } from '../../db';
import { verificationSecrets } from '../../db/queries/secrets';
import { logger } from '../../lib/logger';
import { metrics } from '../../lib/metrics';
import { storableJson, storableKey, storableText } from '../../lib/storable';
import { doorbellRinger } from '../../lib/doorbell';
import { isTestEvent } from '../../lib/test-events';
import { getProvider } from '../../providers';
import { type InboundRequest, MalformedPayloadError, type ParsedEvent } from '../../providers/types';
import type { ApiContext } from '../context';
import type { InboundIntegration } from '../inbound-integrations';
import { HttpError, notFound } from '../errors';

/** One log line per integration per window, however many bad signatures arrive (they are all counted). */
const SIGNATURE_LOG_WINDOW_MS = 10_000;
const lastSignatureLog = new Map<string, number>();

function inboundRequest(req: Request, publicBaseUrl: string): InboundRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: req.method,
    url: `${publicBaseUrl}${req.originalUrl}`,
    headers,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  };
}

async function recordSignatureFailure(db: Db, integration: InboundIntegration, provider: string, reason: string): Promise<void> {
  const integrationId = integration.id;
  metrics.signatureFailures.inc({ provider, reason });
  metrics.webhooksReceived.inc({ provider, outcome: 'rejected' });
  await db
    .insertInto('signature_failures')
    .values({ integration_id: integrationId, bucket: sql`date_trunc('minute', now())` as never, count: 1, last_reason: reason })
    .onConflict((oc) => oc.columns(['integration_id', 'bucket']).doUpdateSet({ count: sql`signature_failures.count + 1`, last_reason: reason }))
    .execute();
  const now = Date.now();
  if (now - (lastSignatureLog.get(integrationId) ?? 0) >= SIGNATURE_LOG_WINDOW_MS) {
    lastSignatureLog.set(integrationId, now);
    logger.warn({ workspaceId: integration.workspaceId, integrationId, provider, reason }, 'webhook signature refused (further failures in the next 10 s are counted, not logged)');
  }
}

/**
 * A redelivery of an event skipped while paused, arriving when the integration is not paused, is queued
 * again (and still counted as a redelivery), in the accept statement itself. Every other conflict is a
 * duplicate. `requeued_at = now()` in RETURNING singles out the rows this statement re-queued: now() is
 * the statement's transaction start, which no earlier re-queue shares.
 */
const REQUEUE_SKIPPED = {
  status: sql<InboxStatus>`CASE WHEN inbox.status = 'skipped' THEN 'pending' ELSE inbox.status END`,
  reason: sql<string | null>`CASE WHEN inbox.status = 'skipped' THEN NULL ELSE inbox.reason END`,
  requeued_at: sql<Date | null>`CASE WHEN inbox.status = 'skipped' THEN now() ELSE inbox.requeued_at END`,
};

/**
 * `POST /webhooks/:provider/:integrationId`: verify, store in the inbox under the provider's event id,
 * answer once that committed, then ring the integration workflow's doorbell. Processing happens in the workflow.
 */
export function webhooksRouter({ db, box, config, temporal, inbound }: ApiContext): Router {
  const router = Router();
  const ring = doorbellRinger(db, temporal);
  router.post('/:provider/:integrationId', async (req, res) => {
    const provider = getProvider(req.params.provider);
    if (!provider?.inbound) throw notFound(`webhook endpoint for provider ${req.params.provider}`);
    const integration = await inbound.get(req.params.integrationId, provider);
    if (!integration) throw notFound(`integration ${req.params.integrationId}`);
    if (integration.state === 'disconnected') {
      metrics.webhooksReceived.inc({ provider: provider.id, outcome: 'gone' });
      throw new HttpError(410, 'integration_disconnected', 'this integration was disconnected; remove the webhook endpoint');
    }

    const request = inboundRequest(req, config.publicBaseUrl);
    const nowMs = Date.now();
    const verified = provider.inbound.verify(request, { settings: integration.settings, secrets: verificationSecrets(integration.secrets, nowMs), nowMs });
    if (!verified.ok) {
      await recordSignatureFailure(db, integration, provider.id, verified.reason);
      throw new HttpError(401, 'invalid_signature', `webhook signature refused: ${verified.reason}`);
    }

    let events: ParsedEvent[];
    try {
      events = provider.inbound.parse(request);
    } catch (error) {
      if (!(error instanceof MalformedPayloadError)) throw error;
      metrics.webhooksReceived.inc({ provider: provider.id, outcome: 'malformed' });
      throw new HttpError(400, 'malformed_payload', error.message);
    }

    const paused = integration.state === 'paused';
    // Test data (kept out of listings, analytics and destinations): sent by the integration's test runner
    // (marked with a server-side HMAC), or what the provider says is test mode (Stripe livemode, Shopify test orders).
    const fromTestRunner = isTestEvent(box, request.headers, request.rawBody);
    const inserted = events.length === 0 ? [] : await db
      .insertInto('inbox')
      .values(
        events.map((event) => ({
          integration_id: integration.id,
          workspace_id: integration.workspaceId,
          provider: provider.id,
          // Stored in a form PostgreSQL accepts, whatever the provider signed (see lib/storable).
          dedup_key: storableKey(event.dedupKey),
          event_type: storableText(event.type),
          payload: JSON.stringify(storableJson(event.payload)),
          livemode: event.livemode ?? null,
          is_test: fromTestRunner || event.livemode === false,
          status: paused ? 'skipped' : 'pending',
          reason: paused ? 'paused' : null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['integration_id', 'dedup_key']).doUpdateSet({
          duplicate_count: sql`inbox.duplicate_count + 1`,
          last_duplicate_at: sql`now()`,
          ...(paused ? {} : REQUEUE_SKIPPED),
        }),
      )
      .returning(['id', sql<boolean>`(xmax = 0)`.as('created'), sql<boolean>`coalesce(requeued_at = now(), false)`.as('requeued')])
      .execute();
    const created = inserted.filter((row) => row.created).length;
    const requeued = inserted.filter((row) => row.requeued).length;
    const duplicates = inserted.length - created - requeued;
    const outcome = created + requeued === 0 && duplicates > 0 ? 'duplicate' : paused ? 'skipped' : 'accepted';
    metrics.webhooksReceived.inc({ provider: provider.id, outcome });
    // Debug, not info: this is the hot path, and the inbox row (GET …/webhook-events) is the durable record.
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { workspaceId: integration.workspaceId, integrationId: integration.id, provider: provider.id, eventIds: events.map((event) => event.dedupKey), created, duplicates, outcome, fromTestRunner },
        'webhook received',
      );
    }
    res.status(200).json({ received: events.length, accepted: paused ? 0 : created + requeued, duplicates, skipped: paused ? created : 0, ...(paused ? { reason: 'integration is paused' } : {}) });
    // The events are stored: the provider need not wait for the doorbell, and a lost ring is swept up.
    if (created + requeued > 0 && !paused) void ring(integration.id);
  });
  return router;
}
