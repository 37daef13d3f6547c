import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DeliveryStatus, InboxStatus, IntegrationState, StateReasonCode } from '../contract/states';
import type { ConversionType } from '../contract/workspace-events';

/** Timestamps come back as Date, go in as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb columns are written as JSON text (pg would turn a JS array into a Postgres array). */
type Json<T> = ColumnType<T, string, string>;
/** bigint columns: pg returns strings; we parse them where read. */
type BigIntColumn = ColumnType<string, number | string | bigint, number | string | bigint>;

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  key_hash: string;
  key_prefix: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface IntegrationsTable {
  id: string;
  workspace_id: string;
  provider: string;
  state: IntegrationState;
  settings: Json<Record<string, unknown>>;
  /** Sealed (AES-256-GCM) provider secrets; null once wiped. */
  secrets_sealed: string | null;
  /** Sealed list of `{ secrets, expiresAt }` still accepted during a rotation grace period. */
  retired_secrets_sealed: string | null;
  external_account_id: string | null;
  installed_at: CreatedAt;
  installed_by: string;
  state_changed_at: Timestamp;
  state_changed_by: string;
  state_reason: string | null;
  /** What diagnostics act on when the service set the state (`state_reason` says it in words). */
  state_reason_code: StateReasonCode | null;
  updated_at: Timestamp;
  /** Set when the workflow has been told there is inbox work; see activities/inbox. */
  doorbell: Generated<boolean>;
  /** Destination health: failed delivery attempts since the last success. */
  consecutive_failures: Generated<number>;
  failing_since: Timestamp | null;
  last_delivery_success_at: Timestamp | null;
  last_delivery_failure_at: Timestamp | null;
  /** When the `fail` signal was sent for the current failure streak (sent once per streak). */
  failure_alerted_at: Timestamp | null;
  /** When it first answered a delivery 410 Gone: nothing more is sent to it (its disconnect follows). */
  gone_at: Timestamp | null;
  /** Task queue of its workflow; its delivery workflows run there too (null: installed before it was recorded). */
  task_queue: string | null;
  /** Whether it can deliver, so is a destination (see `canDeliver`); null: installed before it was recorded. */
  delivers: boolean | null;
}

export interface IntegrationTransitionsTable {
  id: Generated<BigIntColumn>;
  integration_id: string;
  workspace_id: string;
  action: string;
  /** `none` for the install row. */
  from_state: IntegrationState | 'none';
  to_state: IntegrationState;
  actor: string;
  reason: string | null;
  reason_code: StateReasonCode | null;
  occurred_at: Timestamp;
  /** Workflow-side id of the request, so a retried activity writes the row once. */
  request_id: string;
}

export interface InboxTable {
  id: Generated<BigIntColumn>;
  integration_id: string;
  workspace_id: string;
  provider: string;
  dedup_key: string;
  event_type: string;
  payload: Json<unknown>;
  /** UTF-8 length of the payload's JSON text as accepted (null: accepted before migration 018). */
  payload_bytes: number | null;
  livemode: boolean | null;
  is_test: Generated<boolean>;
  status: InboxStatus;
  reason: string | null;
  received_at: Generated<Date>;
  processed_at: Timestamp | null;
  duplicate_count: Generated<number>;
  last_duplicate_at: Timestamp | null;
  result: Json<InboxResult> | null;
  /** When a skipped/failed/ignored row was queued again (replay, redelivery after a pause); its wait counts from then. */
  requeued_at: Timestamp | null;
}

export interface InboxResult {
  customerIds: string[];
  conversionIds: string[];
  eventIds: string[];
}

export interface CustomersTable {
  id: string;
  workspace_id: string;
  provider: string;
  external_id: string;
  email: string | null;
  name: string | null;
  integration_id: string;
  is_test: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ConversionsTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  provider: string;
  type: ConversionType;
  event_name: string;
  customer_id: string | null;
  amount_minor: BigIntColumn | null;
  currency: string | null;
  quantity: number | null;
  occurred_at: Timestamp;
  external_id: string;
  refunds_external_id: string | null;
  sale_conversion_id: string | null;
  /** A refund's payment and the amount step of its refunds it stands for (see db/queries/refund-reports). */
  refund_payment: string | null;
  refund_step: string | null;
  external_event_id: string;
  click_id: string | null;
  link_key: string | null;
  inbox_id: BigIntColumn | null;
  metadata: Json<Record<string, unknown>>;
  is_test: Generated<boolean>;
  created_at: CreatedAt;
}

/** The latest amount a provider reported for one of its documents (a HubSpot deal), sale or not yet. */
export interface DocumentAmountsTable {
  workspace_id: string;
  provider: string;
  external_id: string;
  amount_minor: BigIntColumn;
  currency: string;
  /** When the document had this amount, by the provider's clock: a later report replaces it, an older one does not. */
  as_of: Timestamp;
  source: string;
  updated_at: Generated<Date>;
}

/** Workspace events: the facts announced to destinations (`evt_…`, Standard-Webhooks-style envelope). */
export interface EventsTable {
  id: string;
  workspace_id: string;
  type: string;
  data: Json<Record<string, unknown>>;
  integration_id: string | null;
  idempotency_key: string | null;
  is_test: Generated<boolean>;
  created_at: CreatedAt;
}

/**
 * Events waiting for the outbound dispatcher: written in the same transaction as the event when its
 * workspace has a destination, deleted when the event's deliveries are planned.
 */
export interface OutboxTable {
  event_id: string;
  workspace_id: string;
  created_at: CreatedAt;
}

/** One per (destination integration, event); `id` is derived from both, so it is stable. */
export interface DeliveriesTable {
  id: string;
  integration_id: string;
  workspace_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  reason: string | null;
  attempts: Generated<number>;
  /** Bumped by a redelivery or a resume: attempts of an older round are stale. */
  round: Generated<number>;
  /** The delivery workflow that owns the current round. */
  workflow_id: string | null;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  next_attempt_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<BigIntColumn>;
  delivery_id: string;
  attempt: number;
  round: number;
  started_at: Timestamp;
  latency_ms: number;
  /** As sent, secret values masked. */
  request_headers: Json<Record<string, string>>;
  status_code: number | null;
  /** First KB. */
  response_body: string | null;
  error: string | null;
  outcome: string;
}

export interface SignatureFailuresTable {
  integration_id: string;
  /** Start of the minute the failures fell in. */
  bucket: Timestamp;
  count: number;
  last_reason: string;
}

/** Another id of a sale (a payment that paid an invoice), by which its refunds may name it. */
export interface SaleAliasesTable {
  workspace_id: string;
  provider: string;
  alias: string;
  sale_external_id: string;
  created_at: CreatedAt;
}

/** A started OAuth install, until its callback uses it (single-use) or it expires. */
export interface OAuthStatesTable {
  /** SHA-256 (hex) of the `state` handed out. */
  state_hash: string;
  purpose: string;
  workspace_id: string;
  actor: string;
  payload: Json<Record<string, unknown>>;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface Database {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  integrations: IntegrationsTable;
  integration_transitions: IntegrationTransitionsTable;
  inbox: InboxTable;
  customers: CustomersTable;
  conversions: ConversionsTable;
  sale_aliases: SaleAliasesTable;
  document_amounts: DocumentAmountsTable;
  events: EventsTable;
  outbox: OutboxTable;
  signature_failures: SignatureFailuresTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  oauth_states: OAuthStatesTable;
}

export type IntegrationRow = Selectable<IntegrationsTable>;
export type InboxRow = Selectable<InboxTable>;
export type IntegrationTransitionRow = Selectable<IntegrationTransitionsTable>;
export type ConversionRow = Selectable<ConversionsTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type EventRow = Selectable<EventsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
