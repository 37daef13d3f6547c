/**
 * The API's shapes as the UI reads them. One module, so it can be replaced by the types generated
 * from the OpenAPI document (web/src/api/openapi.d.ts) without touching the pages.
 */
export type IntegrationState = 'pending' | 'active' | 'paused' | 'error' | 'disconnected';
export type JsonSchema = Record<string, unknown>;

export interface FieldIssue {
  path: string;
  message: string;
  allowed?: string[];
}
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: FieldIssue[] };
}

export interface Provider {
  id: string;
  displayName: string;
  class: string;
  description: string;
  capabilities: { inbound: boolean; outbound: boolean };
  inboundEventTypes: string[];
  outboundTriggerEvents: string[];
  settingsSchema: JsonSchema;
  secretsSchema: JsonSchema;
}

export interface ActionAvailability {
  action: string;
  allowed: boolean;
  reason?: string;
}

export interface Health {
  status: string;
  reasons: string[];
  findings: string[];
  inbound: Record<string, unknown> | null;
  outbound: Record<string, unknown> | null;
}

export interface Integration {
  id: string;
  provider: string;
  state: IntegrationState;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  installation: { installedAt: string; installedBy: string; externalAccountId: string | null; inboundWebhookUrl: string | null };
  lastStateChange: { at: string; by: string; reason: string | null };
  actions: ActionAvailability[];
  links: { temporalUi: string };
  health?: Health;
  updatedAt: string;
  issuedSecret?: { field: string; secret: string };
}

export interface Page<T> {
  data: T[];
  nextCursor?: string | null;
}

export interface TestStep {
  step: number;
  name: string;
  direction: string;
  ok: boolean;
  detail: string;
}
export interface TestReport {
  passed: boolean;
  synced: boolean;
  steps: TestStep[];
}

export interface Finding {
  scenario: string;
  severity: string;
  likelyCause: string;
  firstAction: string;
  evidence: Record<string, unknown>;
}

export interface Transition {
  id: string;
  occurredAt: string;
  action: string;
  from: string | null;
  to: string;
  actor: string;
  reason: string | null;
}

export interface WebhookEvent {
  id: string;
  receivedAt: string;
  eventId: string;
  type: string;
  status: string;
  reason: string | null;
  result: unknown;
  isTest: boolean;
}

export interface Delivery {
  id: string;
  eventType: string;
  status: string;
  reason: string | null;
  attemptCount: number;
  round: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

export interface RevenueLine {
  currency: string;
  salesMinor: number;
  refundsMinor: number;
  netMinor: number;
  net: string;
}
export interface ConversionsSeries {
  interval: string;
  from: string;
  to: string;
  buckets: Array<{ start: string; counts: { lead: number; sale: number; refund: number }; revenue: RevenueLine[] }>;
}

export interface RotateResult {
  field: string;
  secret?: string;
  previousSecretValidUntil: string | null;
}

export interface Conversion {
  id: string;
  type: string;
  occurredAt: string;
  amount?: string | null;
  currency?: string | null;
  customerId: string | null;
  provider: string | null;
}
