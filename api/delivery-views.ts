import type { Selectable } from 'kysely';
import type { DeliveryAttemptsTable, DeliveryRow, IntegrationRow } from '../db/schema';
import { iso } from '../lib/iso';


export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    integrationId: row.integration_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    reason: row.reason,
    attemptCount: row.attempts,
    round: row.round,
    lastStatusCode: row.last_status_code,
    lastLatencyMs: row.last_latency_ms,
    lastError: row.last_error,
    nextAttemptAt: iso(row.next_attempt_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deliveredAt: iso(row.delivered_at),
  };
}

/** Request headers are stored with secret values already masked. */
export function attemptView(row: Selectable<DeliveryAttemptsTable>) {
  return {
    attempt: row.attempt,
    round: row.round,
    startedAt: row.started_at.toISOString(),
    latencyMs: row.latency_ms,
    outcome: row.outcome,
    requestHeaders: row.request_headers,
    statusCode: row.status_code,
    responseBody: row.response_body,
    error: row.error,
  };
}

/** A destination's delivery health: the failure streak that moves it to `error` at the threshold. */
export function healthView(row: IntegrationRow) {
  return {
    consecutiveFailures: row.consecutive_failures,
    failingSince: iso(row.failing_since),
    lastSuccessAt: iso(row.last_delivery_success_at),
    lastFailureAt: iso(row.last_delivery_failure_at),
  };
}
