import { useState } from 'react';
import { api } from '../api/client';
import { type Delivery, type DeliveryDetail, type DeliveryPage, everyValue, type TransitionPage, type WebhookEvent, type WebhookEventDetail, type WebhookEventPage } from '../api/types';
import { Badge, CopyButton, counted, Dialog, ErrorMessage, Listing, Loading, Section, Select, useAction, useAutoRefresh, useLoad, when } from '../components/ui';

export function AuditTrail({ integrationId, version }: { integrationId: string; version: number }) {
  const { data, error } = useLoad(() => api<TransitionPage>(`/integrations/${integrationId}/transitions`), [integrationId, version]);
  return (
    <Section title="Audit trail">
      <Listing
        rows={data?.data}
        error={error}
        what="the audit trail"
        head={['When', 'Action', 'From → to', 'By', 'Reason']}
        cells={(t) => [when(t.occurredAt), t.action, `${t.from} → ${t.to}`, <code>{t.actor}</code>, t.reason ?? '']}
      />
    </Section>
  );
}

const INBOX_STATUSES = everyValue<WebhookEvent['status']>({ pending: true, processed: true, ignored: true, failed: true, skipped: true });
/** What `POST …/webhook-events/replay` accepts. */
const REPLAYABLE = new Set<WebhookEvent['status']>(['skipped', 'failed', 'ignored']);

/** A row's action button, shown only where the API allows the action. */
function RowAction({ shown, busy, label, onClick }: { shown: boolean; busy: boolean; label: string; onClick: () => void }) {
  return shown ? (
    <button type="button" disabled={busy} onClick={onClick}>
      {label}
    </button>
  ) : null;
}

/**
 * A log the pipeline writes to on its own, loaded again every second while one of its rows is in flight (so it shows
 * how that ends) and every 5 s otherwise (so rows the pipeline adds appear, such as a resume re-sending what failed).
 */
function useLiveLog<Row>(load: () => Promise<{ data: Row[] }>, deps: unknown[], inFlight: (row: Row) => boolean) {
  const { data, error, settled, reload } = useLoad(load, deps);
  useAutoRefresh(reload, settled, data?.data.some(inFlight) ? 1000 : 5000);
  return { rows: data?.data, error, reload };
}


/** One inbound event as stored: the payload the provider sent, pretty-printed, and what became of it. */
function PayloadDialog({ integrationId, event, onClose }: { integrationId: string; event: WebhookEvent; onClose: () => void }) {
  const { data, error } = useLoad(() => api<WebhookEventDetail>(`/integrations/${integrationId}/webhook-events/${event.id}`), [integrationId, event.id]);
  const payload = data ? JSON.stringify(data.payload, null, 2) : '';
  return (
    <Dialog title={`Payload of ${event.type}`} onClose={onClose}>
      <ErrorMessage error={error} />
      {!data ? (
        error ? null : <Loading what="the payload" />
      ) : (
        <>
          <dl className="facts">
            <div><dt>Event id</dt><dd><code>{data.eventId}</code></dd></div>
            <div><dt>Received</dt><dd>{when(data.receivedAt)}{data.duplicateCount ? `, and ${data.duplicateCount} times again` : ''}</dd></div>
            <div><dt>Status</dt><dd><Badge value={data.status} kind="status" /> {data.reason}</dd></div>
            <div><dt>Became</dt><dd>{data.result ? [counted(data.result.conversionIds.length, 'conversion'), counted(data.result.customerIds.length, 'customer'), counted(data.result.eventIds.length, 'event')].join(', ') : '—'}</dd></div>
          </dl>
          <p>
            As the provider sent it (headers and signatures are not stored) <CopyButton value={payload} label="payload" />
          </p>
          <pre className="payload" tabIndex={0} aria-label="Payload" data-testid="payload">
            {payload}
          </pre>
        </>
      )}
    </Dialog>
  );
}

export function InboundLog({ integrationId, version }: { integrationId: string; version: number }) {
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string>();
  const [payloadOf, setPayloadOf] = useState<WebhookEvent>();
  const log = useLiveLog(() => api<WebhookEventPage>(`/integrations/${integrationId}/webhook-events${status ? `?status=${status}` : ''}`), [integrationId, status, version], (event) => event.status === 'pending');
  const replay = useAction((event: WebhookEvent) => api(`/integrations/${integrationId}/webhook-events/replay`, { method: 'POST', body: { ids: [event.id], status: [event.status] } }));
  return (
    <Section title="Inbound events" actions={<Select label="Status" value={status} options={INBOX_STATUSES} onChange={setStatus} all />}>
      <Listing
        rows={log.rows}
        error={log.error ?? replay.error}
        what="inbound events"
        empty="No webhook received yet."
        rowTestId="inbound-event"
        head={['Received', 'Type', 'Status', 'Result', 'Actions']}
        cells={(event) => [
          <>{when(event.receivedAt)}{event.isTest ? <span className="cap">test</span> : null}</>,
          <code>{event.type}</code>,
          <><Badge value={event.status} kind="status" /> {event.reason}</>,
          <>
            <button type="button" aria-expanded={open === event.id} onClick={() => setOpen(open === event.id ? undefined : event.id)}>
              {open === event.id ? 'Hide' : 'View'} result
            </button>
            {open === event.id ? <pre>{JSON.stringify(event.result, null, 2)}</pre> : null}
          </>,
          <>
            <button type="button" onClick={() => setPayloadOf(event)}>View payload</button>{' '}
            <RowAction shown={REPLAYABLE.has(event.status)} busy={replay.busy} label="Replay" onClick={() => void replay.go(event).then(log.reload)} />
          </>,
        ]}
      />
      {payloadOf ? <PayloadDialog integrationId={integrationId} event={payloadOf} onClose={() => setPayloadOf(undefined)} /> : null}
    </Section>
  );
}

/** One delivery with every attempt: what was sent when, and what the destination answered. */
function AttemptsDialog({ deliveryId, onClose }: { deliveryId: string; onClose: () => void }) {
  const { data, error } = useLoad(() => api<DeliveryDetail>(`/deliveries/${deliveryId}`), [deliveryId]);
  return (
    <Dialog title={`Delivery ${deliveryId}`} onClose={onClose}>
      {data ? (
        <p>
          <code>{data.eventType}</code> <Badge value={data.status} kind="status" /> {data.reason}
        </p>
      ) : null}
      <Listing
        rows={data?.attempts.map((attempt) => ({ ...attempt, id: `${attempt.round}-${attempt.attempt}` }))}
        error={error}
        what="the attempts"
        empty="Not attempted yet."
        label="Attempts"
        rowTestId="attempt"
        head={['Round', 'Attempt', 'Started', 'Outcome', 'Answer', 'Latency']}
        cells={(attempt) => [attempt.round, attempt.attempt, when(attempt.startedAt), attempt.outcome, `${attempt.statusCode ?? ''} ${attempt.error ?? ''}`, `${attempt.latencyMs} ms`]}
      />
    </Dialog>
  );
}

/** Deliveries the API will not redeliver yet: they are still being attempted. */
const IN_FLIGHT = new Set(['pending', 'delivering']);

/**
 * `onChanged` after a redelivery: the page reloads the integration too, whose state the pipeline may have
 * changed meanwhile (a refusal names it). `opened`: the delivery whose attempts are shown (`onOpen` changes it).
 */
export function DeliveryLog({ integrationId, version, onChanged, opened, onOpen }: { integrationId: string; version: number; onChanged: () => void; opened?: string; onOpen: (deliveryId?: string) => void }) {
  const log = useLiveLog(() => api<DeliveryPage>(`/integrations/${integrationId}/deliveries`), [integrationId, version], (delivery) => IN_FLIGHT.has(delivery.status));
  const redeliver = useAction((delivery: Delivery) => api<Delivery>(`/deliveries/${delivery.id}/redeliver`, { method: 'POST' }));
  return (
    <Section title="Deliveries" actions={<button type="button" onClick={log.reload}>Refresh</button>}>
      <Listing
        rows={log.rows}
        error={log.error ?? redeliver.error}
        what="deliveries"
        empty="Nothing delivered yet."
        rowTestId="delivery"
        head={['Created', 'Event', 'Status', 'Attempts', 'Last answer', 'Actions']}
        cells={(delivery) => [
          when(delivery.createdAt),
          <code>{delivery.eventType}</code>,
          <><Badge value={delivery.status} kind="status" /> {delivery.reason}</>,
          `${delivery.attemptCount} (round ${delivery.round})`,
          `${delivery.lastStatusCode ?? ''} ${delivery.lastError ?? ''}`,
          <>
            <button type="button" onClick={() => onOpen(delivery.id)}>View attempts</button>{' '}
            <RowAction shown={!IN_FLIGHT.has(delivery.status)} busy={redeliver.busy} label="Redeliver" onClick={() => void redeliver.go(delivery).then(onChanged)} />
          </>,
        ]}
      />
      {opened ? <AttemptsDialog deliveryId={opened} onClose={() => onOpen(undefined)} /> : null}
    </Section>
  );
}
