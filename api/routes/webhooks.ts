import type { IncomingMessage, ServerResponse } from 'node:http';
import { raw } from 'express';
import { sql } from 'kysely';
import type { Db } from '../../db';
import { inboxAccepter } from '../../db/queries/inbox-accept';
import { verificationSecrets } from '../../db/queries/secrets';
import { logger } from '../../lib/logger';
import { metrics } from '../../lib/metrics';
import { doorbellRinger } from '../../services/doorbell';
import type { BackgroundWork } from '../../lib/background';
import { isTestEvent } from '../../lib/test-events';
import { getProvider } from '../../providers';
import { type InboundRequest, MalformedPayloadError, type ParsedEvent } from '../../providers/types';
import type { ApiContext } from '../context';
import type { InboundIntegration } from '../inbound-integrations';
import { answer, answerFailure, bodyReader, type EndpointAheadOfExpress } from '../ahead-of-express';
import { HttpError, notFound } from '../errors';
import { undecodablePath } from '../input-guard';

/** What a provider redelivering an event that is being applied (its inbox row held) is told to wait. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/** One log line per integration per window, however many bad signatures arrive (they are all counted). */
const SIGNATURE_LOG_WINDOW_MS = 10_000;
const lastSignatureLog = new Map<string, number>();

function inboundRequest(req: IncomingMessage, publicBaseUrl: string, rawBody: Buffer | undefined): InboundRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: req.method ?? 'POST',
    url: `${publicBaseUrl}${req.url}`,
    headers,
    rawBody: rawBody ?? Buffer.alloc(0),
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

/** The provider webhook endpoint, declared for whoever lists the API's routes (it is not an Express route). */
export const WEBHOOK_ROUTE = { method: 'POST', path: '/webhooks/:provider/:integrationId' } as const;
/** `/webhooks/<provider>/<integrationId>`, a trailing slash and a query allowed, any case (as Express matches routes). */
const WEBHOOK_PATH = /^\/webhooks\/([^/?]+)\/([^/?]+)\/?(?:\?.*)?$/i;

/**
 * `POST /webhooks/:provider/:integrationId`: verify, store in the inbox under the provider's event id,
 * answer once that committed, then ring the integration workflow's doorbell. Processing happens in the
 * workflow. Served ahead of Express (see api/app.ts): a provider's webhook needs none of the API's
 * middleware, only the path guard, the raw body (byte for byte, within the size limit, as
 * `express.raw` reads it) and the error answers, which it shares with the rest of the API.
 */
export function webhookEndpoint(ctx: ApiContext, background: BackgroundWork): EndpointAheadOfExpress {
  const { db, box, config, temporal, inbound } = ctx;
  const ring = doorbellRinger(db, temporal);
  const accept = inboxAccepter(db, (work) => void background.run(work));
  const readBody = bodyReader<Buffer>(raw({ type: () => true, limit: config.bodyLimitBytes }));

  const handle = async (req: IncomingMessage, res: ServerResponse, providerId: string, integrationId: string): Promise<void> => {
    const rawBody = await readBody(req, res);
    const provider = getProvider(providerId);
    if (!provider?.inbound) throw notFound(`webhook endpoint for provider ${providerId}`);
    const integration = await inbound.get(integrationId, provider);
    if (!integration) throw notFound(`integration ${integrationId}`);
    if (integration.state === 'disconnected') {
      metrics.webhooksReceived.inc({ provider: provider.id, outcome: 'gone' });
      throw new HttpError(410, 'integration_disconnected', 'this integration was disconnected; remove the webhook endpoint');
    }

    const request = inboundRequest(req, config.publicBaseUrl, rawBody);
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
    // (marked with a server-side HMAC), or what the provider says is test mode (see inboxAccepter).
    const fromTestRunner = isTestEvent(box, request.headers, request.rawBody);
    const { created, requeued, duplicates, busy } = await accept(
      { integrationId: integration.id, workspaceId: integration.workspaceId, provider: provider.id, paused, fromTestRunner },
      events,
    );
    const outcome = busy > 0 ? 'busy' : created + requeued === 0 && duplicates > 0 ? 'duplicate' : paused ? 'skipped' : 'accepted';
    metrics.webhooksReceived.inc({ provider: provider.id, outcome });
    // The events are stored: the provider need not wait for the doorbell, and a lost ring is swept up.
    if (created + requeued > 0 && !paused) void background.run(() => ring(integration.id));
    if (busy > 0) {
      // There, but its row was held (a replay, a retention delete) and the accept waits for no lock: the
      // provider's next try is counted as a redelivery (or queued again, or stored anew).
      throw new HttpError(503, 'event_being_processed', 'this event is being processed; send it again later', undefined, BUSY_RETRY_AFTER_SECONDS);
    }
    // Debug, not info: this is the hot path, and the inbox row (GET …/webhook-events) is the durable record.
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { workspaceId: integration.workspaceId, integrationId: integration.id, provider: provider.id, eventIds: events.map((event) => event.dedupKey), created, duplicates, outcome, fromTestRunner },
        'webhook received',
      );
    }
    answer(res, 200, { received: events.length, accepted: paused ? 0 : created + requeued, duplicates, skipped: paused ? created : 0, ...(paused ? { reason: 'integration is paused' } : {}) });
  };

  return (req, res) => {
    const match = req.method === 'POST' ? WEBHOOK_PATH.exec(req.url ?? '') : null;
    if (!match) return false;
    const path = (req.url ?? '').split('?', 1)[0];
    const refused = undecodablePath(path);
    const handled = refused ? Promise.reject(refused) : handle(req, res, decodeURIComponent(match[1]), decodeURIComponent(match[2]));
    handled.catch((error: unknown) => answerFailure(res, error, 'POST', path));
    return true;
  };
}
