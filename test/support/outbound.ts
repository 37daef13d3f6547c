import { randomBytes } from 'node:crypto';
import type { FakeServer } from './fakes/http-server';
import { type Receiver, startReceiver } from './fakes/receiver';
import type { Harness } from './harness';
import { waitFor } from './harness';

export const newSigningSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

let orders = 0;
/** A `POST /v1/events` body for a sale (amounts in minor units). */
export function saleEvent(overrides: { amountMinor?: number; currency?: string; email?: string } = {}) {
  orders += 1;
  return {
    type: 'sale.created',
    data: {
      conversion: { id: `cnv_test${orders}`, eventName: 'Purchase', amountMinor: overrides.amountMinor ?? 4999, currency: overrides.currency ?? 'USD', externalId: `order_${orders}`, linkKey: 'spring-promo' },
      customer: { externalId: `user_${orders}`, email: overrides.email ?? `buyer${orders}@example.com`, name: 'Ada Buyer' },
    },
  };
}

export interface DeliveryView {
  id: string;
  integrationId: string;
  eventId: string;
  eventType: string;
  status: string;
  reason: string | null;
  attemptCount: number;
  round: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** Shortcuts over the outbound API for tests; `stop` ends the harness and the receivers started here. */
export function outboundHelpers(h: Harness, key: () => string) {
  const receivers: Receiver[] = [];
  /** A Standard Webhooks endpoint on 127.0.0.1 with a fresh secret (answers 200 unless told otherwise). */
  const receiver = async (respond?: FakeServer['respond']) => {
    const started = await startReceiver(newSigningSecret(), respond);
    receivers.push(started);
    return started;
  };
  const stop = async () => {
    await h.stop();
    await Promise.all(receivers.map((started) => started.close()));
  };
  const api = async (method: string, path: string, body?: unknown, expected?: number) => {
    const response = await h.api(method, path, { key: key(), body });
    if (expected !== undefined && response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response;
  };
  const install = async (provider: string, settings: Record<string, unknown>, secrets: Record<string, unknown>) =>
    (await api('POST', '/v1/integrations', { provider, settings, secrets }, 201)).body as { id: string; state: string };
  const installWebhook = (targetUrl: string, signingSecret: string, triggerEvents = ['sale.created']) =>
    install('webhook', { targetUrl, triggerEvents }, { signingSecret });
  const emit = async (event: unknown, headers: Record<string, string> = {}) => {
    const response = await h.api('POST', '/v1/events', { key: key(), body: event, headers });
    if (response.status !== 201 && response.status !== 200) throw new Error(`POST /v1/events: ${response.status} ${response.text}`);
    return response.body as { id: string; type: string; createdAt: string; workspaceId: string; data: Record<string, unknown> };
  };
  const deliveries = async (integrationId: string): Promise<DeliveryView[]> =>
    (await api('GET', `/v1/integrations/${integrationId}/deliveries?limit=200`, undefined, 200)).body.data;
  /** The destination's delivery of `eventId`, once `done` holds for it. */
  const deliveryOf = (integrationId: string, eventId: string, done: (delivery: DeliveryView) => boolean, what = 'the delivery') =>
    waitFor(async () => {
      const found = (await deliveries(integrationId)).find((delivery) => delivery.eventId === eventId);
      return found && done(found) && found;
    }, `${what} of ${eventId} to ${integrationId}`);
  const state = async (integrationId: string) => (await api('GET', `/v1/integrations/${integrationId}`, undefined, 200)).body.state as string;
  return { api, install, installWebhook, emit, deliveries, deliveryOf, state, receiver, stop };
}
