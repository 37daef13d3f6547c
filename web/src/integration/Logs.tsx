import { useState } from 'react';
import { api } from '../api/client';
import { type Delivery, type DeliveryPage, everyValue, type TransitionPage, type WebhookEvent, type WebhookEventPage } from '../api/types';
import { Badge, ErrorMessage, Loading, Section, useAction, useAutoRefresh, useLoad, when } from '../components/ui';

export function AuditTrail({ integrationId, version }: { integrationId: string; version: number }) {
  const { data, error } = useLoad(() => api<TransitionPage>(`/integrations/${integrationId}/transitions`), [integrationId, version]);
  return (
    <Section title="Audit trail">
      <ErrorMessage error={error} />
      {!data ? (
        <Loading what="the audit trail" />
      ) : (
        <table>
          <thead>
            <tr><th>When</th><th>Action</th><th>From → to</th><th>By</th><th>Reason</th></tr>
          </thead>
          <tbody>
            {data.data.map((t) => (
              <tr key={t.id}>
                <td>{when(t.occurredAt)}</td>
                <td>{t.action}</td>
                <td>{t.from} → {t.to}</td>
                <td><code>{t.actor}</code></td>
                <td>{t.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

const INBOX_STATUSES = everyValue<WebhookEvent['status']>({ pending: true, processed: true, ignored: true, failed: true, skipped: true });
/** What `POST …/webhook-events/replay` accepts. */
const REPLAYABLE = new Set<WebhookEvent['status']>(['skipped', 'failed', 'ignored']);

export function InboundLog({ integrationId, version }: { integrationId: string; version: number }) {
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string>();
  const { data, error, settled, reload } = useLoad(() => api<WebhookEventPage>(`/integrations/${integrationId}/webhook-events${status ? `?status=${status}` : ''}`), [integrationId, status, version]);
  useAutoRefresh(reload, settled, data?.data.some((event) => event.status === 'pending') ? 1000 : 5000);
  const replay = useAction((event: WebhookEvent) => api(`/integrations/${integrationId}/webhook-events/replay`, { method: 'POST', body: { ids: [event.id], status: [event.status] } }));
  return (
    <Section
      title="Inbound events"
      actions={
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {INBOX_STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      }
    >
      <ErrorMessage error={error ?? replay.error} />
      {!data ? (
        <Loading what="inbound events" />
      ) : data.data.length === 0 ? (
        <p className="muted">No webhook received yet.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Received</th><th>Type</th><th>Status</th><th>Result</th><th>Actions</th></tr>
          </thead>
          <tbody>
            {data.data.map((event) => (
              <tr key={event.id}>
                <td>{when(event.receivedAt)}{event.isTest ? <span className="cap">test</span> : null}</td>
                <td><code>{event.type}</code></td>
                <td><Badge value={event.status} kind="status" /> {event.reason}</td>
                <td>
                  <button type="button" aria-expanded={open === event.id} onClick={() => setOpen(open === event.id ? undefined : event.id)}>
                    {open === event.id ? 'Hide' : 'View'} result
                  </button>
                  {open === event.id ? <pre>{JSON.stringify(event.result, null, 2)}</pre> : null}
                </td>
                <td>
                  {REPLAYABLE.has(event.status) ? (
                    <button type="button" disabled={replay.busy} onClick={() => void replay.go(event).then(reload)}>
                      Replay
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** Deliveries the API will not redeliver yet: they are still being attempted. */
const IN_FLIGHT = new Set(['pending', 'delivering']);

/** `onChanged` after a redelivery: the page reloads the integration too, whose state the pipeline may have changed meanwhile (a refusal names it). */
export function DeliveryLog({ integrationId, version, onChanged }: { integrationId: string; version: number; onChanged: () => void }) {
  const { data, error, settled, reload } = useLoad(() => api<DeliveryPage>(`/integrations/${integrationId}/deliveries`), [integrationId, version]);
  const redeliver = useAction((delivery: Delivery) => api<Delivery>(`/deliveries/${delivery.id}/redeliver`, { method: 'POST' }));
  // Live: every second while a delivery is in flight, so the log shows how it ends; every few seconds
  // otherwise, so rounds the pipeline starts on its own (a resume re-sending what failed) appear.
  useAutoRefresh(reload, settled, data?.data.some((delivery) => IN_FLIGHT.has(delivery.status)) ? 1000 : 5000);
  return (
    <Section title="Deliveries" actions={<button type="button" onClick={reload}>Refresh</button>}>
      <ErrorMessage error={error ?? redeliver.error} />
      {!data ? (
        <Loading what="deliveries" />
      ) : data.data.length === 0 ? (
        <p className="muted">Nothing delivered yet.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Created</th><th>Event</th><th>Status</th><th>Attempts</th><th>Last answer</th><th>Actions</th></tr>
          </thead>
          <tbody>
            {data.data.map((delivery) => (
              <tr key={delivery.id} data-testid="delivery">
                <td>{when(delivery.createdAt)}</td>
                <td><code>{delivery.eventType}</code></td>
                <td><Badge value={delivery.status} kind="status" /> {delivery.reason}</td>
                <td>{delivery.attemptCount} (round {delivery.round})</td>
                <td>{delivery.lastStatusCode ?? ''} {delivery.lastError ?? ''}</td>
                <td>
                  {!IN_FLIGHT.has(delivery.status) ? (
                    <button type="button" disabled={redeliver.busy} onClick={() => void redeliver.go(delivery).then(onChanged)}>
                      Redeliver
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
