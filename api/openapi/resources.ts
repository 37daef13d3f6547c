import { z } from 'zod';
import { HEALTH_STATUSES, INTEGRATION_STATES as STATES } from '../../contract/states';
import { ACTIONS } from '../../contract/lifecycle';
import type { OutboundEnvelope } from '../../contract/workspace-events';
import type { Recorded } from '../../providers/types';

/**
 * Response schemas of the main resources, as the views build them (api/integration-view.ts,
 * api/read-views.ts). Strict, so the contract test that parses real answers with them fails when a
 * view gains or loses a field.
 */

export const instant = z.iso.datetime();
export const nullableInstant = instant.nullable();
const jsonSchema = z.record(z.string(), z.unknown()).meta({ description: 'A JSON Schema (draft 2020-12).' });

const RECORDED = ['lead', 'sale', 'refund', 'customer', 'sale alias', 'deal amount', 'disconnect'] as const satisfies readonly Recorded[];

const InboundEventKind = z
  .strictObject({
    type: z.string().meta({ description: 'The provider’s event type; `*`: any type the sender names (mapped by `eventMapping`).' }),
    records: z.array(z.enum(RECORDED)).meta({ description: 'What it can record: conversions (`lead`, `sale`, `refund`), a `customer`, a `sale alias` (a payment that stands for a sale), a `deal amount`, or a `disconnect` of the integration.' }),
    when: z.string().optional().meta({ description: 'The condition or setting it records under.' }),
  })
  .meta({ id: 'InboundEventKind' });

/** The catalog entry (api/routes/providers.ts `catalogEntry`). */
export const Provider = z
  .strictObject({
    id: z.string(),
    displayName: z.string(),
    class: z.string(),
    description: z.string(),
    capabilities: z.strictObject({ inbound: z.boolean(), outbound: z.boolean() }),
    inboundEventTypes: z.array(z.string()),
    inboundEvents: z.array(InboundEventKind).meta({ description: 'Each inbound event type with what it records, from the provider’s normalizer.' }),
    outboundTriggerEvents: z.array(z.string()),
    settingsSchema: jsonSchema,
    secretsSchema: jsonSchema,
    secretRotation: z
      .strictObject({
        field: z.string().meta({ description: 'The secrets field `POST /v1/integrations/{id}/secrets/rotate` replaces.' }),
        issuedBy: z.enum(['linquid', 'provider']).meta({ description: '`linquid`: the rotation generates it (shown once); `provider`: pass the one the provider issued.' }),
      })
      .nullable()
      .meta({ description: 'The signing secret that rotates with a grace period; `null`: nothing to rotate.' }),
    install: z
      .discriminatedUnion('method', [
        z.strictObject({ method: z.literal('form') }),
        z.strictObject({ method: z.literal('oauth'), start: z.string().meta({ description: 'Starts the provider’s consent screen: a redirect, or `{ authorizeUrl }` with `?format=json`.' }) }),
      ])
      .meta({ description: '`form`: `POST /v1/integrations` with its settings and secrets; `oauth`: through the provider’s consent screen.' }),
  })
  .meta({ id: 'Provider' });

const ActionAvailability = z.strictObject({
  action: z.enum(ACTIONS.filter((action) => action !== 'fail')),
  allowed: z.boolean(),
  reason: z.string().optional().meta({ description: 'Why the current state refuses it (only when `allowed` is false).' }),
});

const InboundHealth = z.strictObject({
  lastEventReceivedAt: nullableInstant,
  lastEventProcessedAt: nullableInstant,
  pendingEvents: z.number(),
  oldestPendingAgeSeconds: z.number().nullable(),
  processingLagSeconds: z.strictObject({ p50: z.number().nullable(), p95: z.number().nullable(), sampleSize: z.number() }),
  failedEventsLast24h: z.number(),
  signatureFailuresLastHour: z.number(),
});

const OutboundHealth = z.strictObject({
  lastSuccessAt: nullableInstant,
  lastFailureAt: nullableInstant,
  failuresLast24h: z.number(),
  consecutiveFailures: z.number(),
  failingSince: nullableInstant,
});

export const HealthStatus = z.enum(HEALTH_STATUSES);

/** services/diagnostics/health.ts `IntegrationHealth`. */
const Health = z.strictObject({
  status: HealthStatus,
  reasons: z.array(z.string()),
  findings: z.array(z.string()),
  inbound: InboundHealth.nullable(),
  outbound: OutboundHealth.nullable(),
});

export const Integration = z
  .strictObject({
    id: z.string(),
    workspaceId: z.string(),
    provider: z.string(),
    state: z.enum(STATES),
    settings: z.record(z.string(), z.unknown()),
    secrets: z.record(z.string(), z.string()).meta({ description: 'Which secrets are set, each masked; never their values.' }),
    installation: z.strictObject({
      installedAt: instant,
      installedBy: z.string(),
      externalAccountId: z.string().nullable(),
      inboundWebhookUrl: z.string().nullable().meta({ description: 'Where the provider sends webhooks; `null` for a provider that only receives from Linquid.' }),
    }),
    lastStateChange: z.strictObject({ at: instant, by: z.string(), reason: z.string().nullable() }),
    actions: z.array(ActionAvailability).meta({ description: 'Every lifecycle action and whether the transition table allows it from this state.' }),
    links: z.strictObject({ temporalUi: z.string().meta({ description: 'This integration’s workflow in the Temporal Web UI.' }) }),
    health: Health.optional().meta({ description: 'Only on `GET /v1/integrations/{id}`.' }),
    overview: z
      .strictObject({ healthStatus: HealthStatus, lastActivityAt: instant.meta({ description: 'The latest of its last state change, inbound event and delivery attempt.' }) })
      .optional()
      .meta({ description: 'Only on `GET /v1/integrations`: a cheap health summary (`failing` in `error`, `degraded` while deliveries fail in a row or inbound events failed in the last 24 h); the full health is on `GET /v1/integrations/{id}`.' }),
    updatedAt: instant,
  })
  .meta({ id: 'Integration' });

export const Transition = z
  .strictObject({
    id: z.string(),
    occurredAt: instant,
    action: z.string(),
    from: z.string(),
    to: z.string(),
    actor: z.string().meta({ description: 'Who asked: `api:<key id>`, `system`, a provider…' }),
    reason: z.string().nullable(),
  })
  .meta({ id: 'Transition' });

/** A workspace event as destinations receive it (contract `OutboundEnvelope`): what `POST /v1/events` answers. */
export const WorkspaceEventEnvelope = z
  .strictObject({ id: z.string(), type: z.string(), createdAt: instant, workspaceId: z.string(), data: z.record(z.string(), z.unknown()) } satisfies Record<keyof OutboundEnvelope, z.ZodType>)
  .meta({ id: 'WorkspaceEventEnvelope' });

/** A workspace event as the read API answers it: the envelope and where it came from. */
export const WorkspaceEvent = WorkspaceEventEnvelope.extend({ integrationId: z.string().nullable(), isTest: z.boolean() }).meta({ id: 'WorkspaceEvent' });

/** `POST /v1/integrations/{id}/secrets/rotate` (api/routes/secrets.ts). */
export const RotateResult = z
  .strictObject({
    field: z.string(),
    secret: z.string().optional().meta({ description: 'The secret Linquid generated, shown once.' }),
    previousSecretValidUntil: nullableInstant.meta({ description: 'When the previous secret stops verifying; `null` without a grace period.' }),
  })
  .meta({ id: 'RotateResult' });
