import type { z } from 'zod';
import type { ConversionType, OutboundEnvelope, WorkspaceEventType } from '../contract/workspace-events';

/** What a provider is, for the catalog and the UI. */
export type ProviderClass = 'payments' | 'crm' | 'ecommerce' | 'chat' | 'automation';

/** A request as it reached `POST /webhooks/:provider/:integrationId`, raw body untouched. */
export interface InboundRequest {
  method: string;
  /** Full public URL the provider called (HubSpot signs it). */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

export type VerifyFailure =
  | 'missing_signature'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'wrong_account';

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; detail?: string };

/** One provider event split out of a (possibly batched) webhook request. */
export interface ParsedEvent {
  /** The provider's event id: the inbox dedup key. */
  dedupKey: string;
  type: string;
  payload: unknown;
  /**
   * `false` for a provider's test-mode event (Stripe livemode=false, a Shopify test order): the inbox row
   * and everything it produces are test data (`is_test`).
   */
  livemode?: boolean;
  /**
   * When the request reached us (ISO-8601), set by the pipeline from the inbox row before `normalize`;
   * the `occurredAt` of events whose sender doesn't say when they happened (generic webhooks).
   */
  receivedAt?: string;
  /**
   * What the provider module's `enrich` read from the provider's API for this event (a HubSpot deal's
   * amount and contact), attached by the pipeline before `normalize`; never stored with the event.
   */
  enrichment?: unknown;
}

export interface CustomerRef {
  externalId: string;
  email?: string | null;
  name?: string | null;
}

export interface ConversionInput {
  type: ConversionType;
  /** Lead: "Sign up", "Started Trial"…; sale: "Purchase"…; part of the lead business key. */
  eventName: string;
  customer?: CustomerRef;
  /** Integer in the currency's minor unit. */
  amountMinor?: number;
  /** Uppercase ISO 4217. */
  currency?: string;
  quantity?: number;
  occurredAt: string;
  /** Invoice / order / deal id: the sale business key; for a refund, its own id. */
  externalId: string;
  /** For a refund: the external id of the sale it refunds, or an alias of that sale (see the `saleAlias` effect). */
  refundsExternalId?: string;
  /**
   * For a refund its provider reports in two shapes — with the refund's own id, or only as an amount step
   * of a payment's refunds, without that id — the payment it returns money from, so that both reports of one
   * refund are recorded once (matched by payment and amount: see `db/queries/refund-reports`). A report
   * without the refund's id sets `step`: a stable id of that step, also used as its `externalId`.
   */
  refundOf?: { payment: string; step?: string };
  clickId?: string;
  linkKey?: string;
  metadata?: Record<string, unknown>;
  /**
   * A sale whose amount this event does not carry (a HubSpot stage change): it takes the latest amount
   * reported for its document (`amount` effects of this batch, an earlier one or a later one). Until
   * there is one it is stored without an amount, with this reason, and announced (`sale.created`) only
   * once it has one.
   */
  amountPending?: AmountPending;
}

/** Why a sale's amount is not known yet; the code says what would make it known. */
export interface AmountPending {
  /** `not_read`: the provider's API was not asked for this event (it is on the next drain). */
  code: 'no_credentials' | 'refused' | 'unreachable' | 'not_found' | 'not_set' | 'not_read';
  reason: string;
}

/**
 * The value of a provider document (a HubSpot deal) as the provider reported it at `asOf`, whether or
 * not it is a sale yet: the latest report wins, and a sale of that document takes it (`sale.created`
 * when that completes a pending sale, `sale.updated` when it changes a known amount).
 */
export interface DocumentAmount {
  /** The sale's external id (its business key). */
  externalId: string;
  /** Integer in the currency's minor unit. */
  amountMinor: number;
  /** Uppercase ISO 4217. */
  currency: string;
  /** When the document had this amount, by the provider's clock (ISO-8601). */
  asOf: string;
  /** What reported it ("deal read", "amount change"), kept with the sale. */
  source: string;
  /** The document's customer when the report names one: given to a sale that has none. */
  customer?: CustomerRef;
}

/** What one inbound event means for the workspace; applied idempotently by the pipeline. */
export type Effect =
  | { kind: 'customer'; customer: CustomerRef }
  | { kind: 'conversion'; conversion: ConversionInput }
  /** Another id the provider refers to a sale by (a payment that paid an invoice): refunds naming it refund that sale. */
  | { kind: 'saleAlias'; saleExternalId: string; alias: string }
  | { kind: 'amount'; amount: DocumentAmount }
  | { kind: 'lifecycle'; action: 'disconnect'; reason: string };

export type NormalizeResult =
  | { status: 'apply'; effects: Effect[] }
  | { status: 'ignored'; reason: string };

export interface InboundContext<Settings, Secrets> {
  settings: Settings;
  /** The current secrets first, then any still inside their rotation grace period. */
  secrets: Secrets[];
  nowMs: number;
}

export interface InboundHandler<Settings, Secrets> {
  verify(req: InboundRequest, ctx: InboundContext<Settings, Secrets>): VerifyResult;
  /** Throws `MalformedPayloadError` for a body that is not what the provider sends. */
  parse(req: InboundRequest): ParsedEvent[];
  normalize(event: ParsedEvent, settings: Settings): NormalizeResult;
  /**
   * Reads from the provider's API what its webhooks leave out, for the events that need it, and
   * returns the events with their `enrichment` set. The drain calls it before a batch's transaction;
   * it never throws for an API that cannot be asked (no credentials, unreachable, refused): such
   * events are enriched with the reason, and what they record waits (see `amountPending`).
   */
  enrich?(events: ParsedEvent[], ctx: CredentialContext<Settings, Partial<Secrets>>): Promise<ParsedEvent[]>;
  /**
   * Reads again the amounts of sales still pending (by external id) — the drain retries them, a bounded
   * number each time — and says, for those still unknown, why. Never throws for an API that cannot be asked.
   */
  readPendingAmounts?(externalIds: string[], ctx: CredentialContext<Settings, Partial<Secrets>>): Promise<PendingAmountsRead>;
}

/** A re-read of pending sales: the amounts now known, and why the others still wait. */
export interface PendingAmountsRead {
  amounts: DocumentAmount[];
  stillPending: Array<{ externalId: string; pending: AmountPending }>;
}

export class MalformedPayloadError extends Error {}

/** What an inbound event can record: a conversion of its kind, a customer, or a fact about one. */
export type Recorded = 'lead' | 'sale' | 'refund' | 'customer' | 'sale alias' | 'deal amount' | 'disconnect';

/** One inbound event type and what its normalizer makes of it, for the catalog. */
export interface InboundEventKind {
  /** The provider's event type (`invoice.paid`, `orders/paid`, `track`); `*` for any type the sender names. */
  type: string;
  /** Everything it can record (a unit test holds each normalizer to it). */
  records: readonly Recorded[];
  /** When it records that: the condition or setting it depends on. */
  when?: string;
}

/** How a signing secret is replaced by `POST /v1/integrations/:id/secrets/rotate`. */
export interface SecretRotation<Secrets> {
  /** The secrets field that signs inbound (or outbound) webhooks. */
  field: keyof Secrets & string;
  /** We issue it (generic webhooks, Zapier) or the provider does (Stripe, Shopify…: the caller passes it). */
  generate?: () => string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the catalog lists modules of every settings type
export interface ProviderModule<Settings = any, Secrets = any> {
  id: string;
  displayName: string;
  class: ProviderClass;
  description: string;
  capabilities: { inbound: boolean; outbound: boolean };
  /** The provider event types the inbound handler understands, each with what it records (its dispatch table's). */
  inboundEvents: readonly InboundEventKind[];
  /** Workspace event types this provider can receive as a destination. */
  outboundTriggerEvents: readonly WorkspaceEventType[];
  settingsSchema: z.ZodType<Settings>;
  secretsSchema: z.ZodType<Secrets>;
  /** Id of the account on the provider side, shown as installation metadata. */
  externalAccountId?(settings: Settings): string | null;
  /** Whether the installed secrets are enough to go `active` right away (else it waits in `pending`). */
  isAuthorized(secrets: Partial<Secrets>): boolean;
  rotation?: SecretRotation<Secrets>;
  /** Installed through the provider's OAuth consent screen (`GET /v1/integrations/<id>/install`), not a secrets form. */
  installsWithOAuth?: boolean;
  inbound?: InboundHandler<Settings, Secrets>;
  outbound?: OutboundHandler<Settings, Secrets>;
  /** Checks the stored credentials (and settings) against the provider's API, where it has one. */
  credentials?: CredentialsHandler<Settings, Secrets>;
  /** A realistic webhook, signed like the provider signs it, for `POST /v1/integrations/:id/test`. */
  sampleEvent?(ctx: SampleContext<Settings, Secrets>): SampleEvent;
}

export interface OutboundContext<Settings, Secrets> {
  envelope: OutboundEnvelope;
  deliveryId: string;
  settings: Settings;
  secrets: Secrets;
  /** Per-attempt budget for the whole call. */
  timeoutMs: number;
  /** Loopback/private destinations and plain http are allowed (development, tests). */
  allowPrivateDestinations: boolean;
  /** This provider's API base from `<PROVIDER>_API_URL`; undefined: the module's own default. */
  apiUrl: string | undefined;
  /** Aborted when the destination answered 410 to another delivery: stop waiting for this answer. */
  signal?: AbortSignal;
}

/**
 * `success` (2xx), `retry` (5xx, 408/409/425/429, network error, timeout), `rejected` (other 4xx: not retried),
 * `gone` (410: the destination asked us to stop).
 */
export type DeliveryOutcome = 'success' | 'retry' | 'rejected' | 'gone';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** Null when no response came back (network error, timeout, refused destination). */
  statusCode: number | null;
  /** The first KB of the response body. */
  responseBodySnippet: string | null;
  /** What was sent, with secret values masked. */
  requestHeaders: Record<string, string>;
  /** From `Retry-After` (or the provider's equivalent). */
  retryAfterMs?: number;
  error?: string;
}

export interface OutboundHandler<Settings, Secrets> {
  /** Whether this destination wants the event (trigger list, routing rules, filters). */
  subscribes(event: Pick<OutboundEnvelope, 'type' | 'data'>, settings: Settings): boolean;
  deliver(ctx: OutboundContext<Settings, Secrets>): Promise<DeliveryResult>;
  /**
   * Whether this installation can deliver at all (a destination URL, a write key…); only then is it a
   * destination: events are queued and delivered to it, diagnostics and `/test` treat it as one (a
   * two-way provider installed only to receive is not). Judged whenever its settings or secrets are
   * saved. Absent: every installation can.
   */
  canDeliver?(settings: Settings, secrets: Partial<Secrets>): boolean;
  /** User-supplied destination URLs, by settings field, for the SSRF guard at install/PATCH time. */
  destinationUrls?(settings: Settings): Array<{ field: string; url: string }>;
}

/** A call to the provider's API with the integration's settings and secrets (credential checks, reads). */
export interface CredentialContext<Settings, Secrets> {
  settings: Settings;
  secrets: Secrets;
  /** This provider's API base from `<PROVIDER>_API_URL`; undefined: the module's own default. */
  apiUrl: string | undefined;
  timeoutMs: number;
}

/**
 * `ok`: the provider accepted the credentials; `unauthorized`: it refused them (401/403);
 * `unchecked`: no API credential is stored (e.g. only a webhook signing secret), so nothing to ask.
 * A network failure or an unexpected answer throws `ProviderApiError`: it says nothing about the credentials.
 */
export type CredentialCheck = 'ok' | 'unauthorized' | 'unchecked';

/** A setting the provider account cannot honour, with the values it would accept. */
export interface SettingsProblem {
  /** `settings.<field>` */
  path: string;
  message: string;
  allowed?: string[];
}

export interface CredentialsHandler<Settings, Secrets> {
  /**
   * Whether the provider accepts the credentials; a provider whose answer also tells whether it can
   * honour the settings (a stage id that must exist…) returns those problems with `ok`, from the same call.
   */
  check(ctx: CredentialContext<Settings, Secrets>): Promise<CredentialCheck | { credentials: 'ok'; problems: SettingsProblem[] }>;
}

/** The provider's API could not be asked (network error, timeout, 5xx, 429): retry later. */
export class ProviderApiError extends Error {}

export interface SampleContext<Settings, Secrets> {
  settings: Settings;
  /** The integration's current secrets: the sample is signed with them, as the provider would. */
  secrets: Secrets;
  /** The public webhook URL it is sent to (HubSpot signs the URL). */
  url: string;
  nowMs: number;
  /** Unique per test run: event ids, order ids. */
  runId: string;
}

/** What the sample should produce, for the test report to compare against. */
export interface ExpectedConversion {
  type: 'lead' | 'sale';
  eventName: string;
  amountMinor?: number;
  currency?: string;
}

export interface SampleEvent {
  headers: Record<string, string>;
  body: string;
  expected: ExpectedConversion;
}

/** A sample cannot be built from this integration's configuration (no signing secret, nothing mapped…). */
export class SampleUnavailableError extends Error {}
