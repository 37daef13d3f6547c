import { z } from 'zod';
import type { IntegrationState } from './states';

/**
 * The workspace-event contract: the events Linquid announces to destinations, the envelope they
 * receive them in, and (workspace-event-payloads) what their `data` holds. The lowest layer: it
 * imports nothing of ours but its own files, so providers, db, activities and the API all read it.
 */
export const WORKSPACE_EVENT_TYPES = [
  'link.clicked',
  'customer.created',
  'lead.created',
  'sale.created',
  /** A sale's amount changed after it was announced (`data.previous` holds the amount before). */
  'sale.updated',
  'refund.created',
  'integration.connected',
  'integration.paused',
  'integration.error',
  'integration.disconnected',
] as const;
export type WorkspaceEventType = (typeof WORKSPACE_EVENT_TYPES)[number];
export const workspaceEventSchema = z.enum(WORKSPACE_EVENT_TYPES);

export type IntegrationEventType = Extract<WorkspaceEventType, `integration.${string}`>;
/** What happened in the workspace's data (clicks, customers, conversions), as opposed to its integrations' lifecycle. */
export type DataEventType = Exclude<WorkspaceEventType, IntegrationEventType>;

export const DATA_EVENT_TYPES = WORKSPACE_EVENT_TYPES.filter((type): type is DataEventType => !type.startsWith('integration.'));

/** The event a change of an integration's state announces, when it announces one. */
export const INTEGRATION_EVENT_OF_STATE: Partial<Record<IntegrationState, IntegrationEventType>> = {
  active: 'integration.connected',
  paused: 'integration.paused',
  error: 'integration.error',
  disconnected: 'integration.disconnected',
};

export const CONVERSION_TYPES = ['lead', 'sale', 'refund'] as const;
export type ConversionType = (typeof CONVERSION_TYPES)[number];

/** The event announcing a new conversion of this type. */
export const conversionCreatedEvent = (type: ConversionType) => `${type}.created` as const satisfies WorkspaceEventType;

/** A workspace event as destinations receive it (Standard Webhooks style). */
export interface OutboundEnvelope {
  /** `evt_…`: also the `webhook-id` / Segment `messageId`, so receivers can dedupe. */
  id: string;
  type: string;
  createdAt: string;
  workspaceId: string;
  data: Record<string, unknown>;
}
