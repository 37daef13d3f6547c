import type { ConversionRow, CustomerRow, EventRow, InboxRow, IntegrationTransitionRow } from '../db/schema';
import { moneyFields } from './money-view';
import { iso } from '../lib/iso';

export function conversionView(row: ConversionRow) {
  return {
    id: row.id,
    type: row.type,
    eventName: row.event_name,
    integrationId: row.integration_id,
    provider: row.provider,
    customerId: row.customer_id,
    ...moneyFields(row.amount_minor, row.currency),
    quantity: row.quantity,
    occurredAt: row.occurred_at.toISOString(),
    externalId: row.external_id,
    refundsExternalId: row.refunds_external_id,
    saleConversionId: row.sale_conversion_id,
    externalEventId: row.external_event_id,
    clickId: row.click_id,
    linkKey: row.link_key,
    metadata: row.metadata,
    isTest: row.is_test,
    createdAt: row.created_at.toISOString(),
  };
}

export function customerView(row: CustomerRow) {
  return {
    id: row.id,
    integrationId: row.integration_id,
    provider: row.provider,
    externalId: row.external_id,
    email: row.email,
    name: row.name,
    isTest: row.is_test,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The envelope destinations receive (id, type, createdAt, workspaceId, data), plus where it came from. */
export function eventView(row: EventRow) {
  return {
    id: row.id,
    type: row.type,
    createdAt: row.created_at.toISOString(),
    workspaceId: row.workspace_id,
    data: row.data,
    integrationId: row.integration_id,
    isTest: row.is_test,
  };
}

/** The inbound log: the payload stays out (it can carry personal data; the results point at what it became). */
export type WebhookEventRow = Omit<InboxRow, 'payload' | 'payload_bytes' | 'integration_id' | 'workspace_id' | 'provider' | 'livemode'>;

export function webhookEventView(row: WebhookEventRow) {
  return {
    id: String(row.id),
    receivedAt: row.received_at.toISOString(),
    eventId: row.dedup_key,
    type: row.event_type,
    status: row.status,
    reason: row.reason,
    duplicateCount: row.duplicate_count,
    lastDuplicateAt: iso(row.last_duplicate_at),
    result: row.result,
    processedAt: iso(row.processed_at),
    requeuedAt: iso(row.requeued_at),
    isTest: row.is_test,
  };
}

/** One inbound event with the payload the provider sent (`GET …/webhook-events/:eventId`). */
export function webhookEventDetailView(row: InboxRow) {
  return { ...webhookEventView(row), provider: row.provider, livemode: row.livemode, payload: row.payload };
}

/** One entry of the audit trail: who (`actor`), when, which action, from and to which state, and why. */
export function transitionView(row: Omit<IntegrationTransitionRow, 'integration_id' | 'workspace_id' | 'request_id' | 'reason_code'>) {
  return {
    id: String(row.id),
    occurredAt: row.occurred_at.toISOString(),
    action: row.action,
    from: row.from_state,
    to: row.to_state,
    actor: row.actor,
    reason: row.reason,
  };
}
