/**
 * The states and statuses that cross layers — stored by db/, decided by activities and workflows, shown
 * by the API — each defined once, so a column, a query filter and a workflow agree on the same values.
 */

/** An integration's lifecycle state (transitions: workflows/lifecycle). */
export const INTEGRATION_STATES = ['pending', 'active', 'paused', 'error', 'disconnected'] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

/** An inbox row (one inbound provider event): waiting, applied, ignored by its normalizer, failed, or skipped while paused. */
export const INBOX_STATUSES = ['pending', 'processed', 'ignored', 'failed', 'skipped'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** A delivery of one workspace event to one destination. */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed', 'skipped', 'held', 'disabled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
