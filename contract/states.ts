/**
 * The states and statuses that cross layers — stored by db/, decided by activities and workflows, shown
 * by the API — each defined once, so a column, a query filter and a workflow agree on the same values.
 */

/** An integration's lifecycle state (transitions: contract/lifecycle). */
export const INTEGRATION_STATES = ['pending', 'active', 'paused', 'error', 'disconnected'] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

/** An inbox row (one inbound provider event): waiting, applied, ignored by its normalizer, failed, or skipped while paused. */
export const INBOX_STATUSES = ['pending', 'processed', 'ignored', 'failed', 'skipped'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** A delivery of one workspace event to one destination. */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed', 'skipped', 'held', 'disabled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Why the service moved an integration to its state, as a code diagnostics act on; the reason text
 * beside it is for people (and is never parsed). Null for reasons given in words only (an API caller's,
 * an operator's signal).
 */
export const STATE_REASON_CODES = ['credentials_expired', 'invalid_mapping', 'delivery_failures', 'destination_gone'] as const;
export type StateReasonCode = (typeof STATE_REASON_CODES)[number];

/** An integration's health as its health panel and the installed list show it. */
export const HEALTH_STATUSES = ['healthy', 'degraded', 'failing'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export function isStateReasonCode(value: unknown): value is StateReasonCode {
  return (STATE_REASON_CODES as readonly unknown[]).includes(value);
}

export interface StateReason {
  code: StateReasonCode;
  message: string;
}
