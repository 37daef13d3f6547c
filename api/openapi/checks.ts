import { z } from 'zod';
import { DELIVERY_STATUSES, INTEGRATION_STATES } from '../../contract/states';
import { instant, nullableInstant } from './resources';

/** Response schemas of the checks (services/diagnostics, services/test-run) and deliveries (api/delivery-views.ts). */

/** services/diagnostics `FindingAction`. */
const FindingAction = z
  .discriminatedUnion('code', [
    z.strictObject({ code: z.literal('resume') }),
    z.strictObject({ code: z.literal('reauthorize') }),
    z.strictObject({ code: z.literal('rotate_secret') }),
    z.strictObject({ code: z.literal('edit_settings') }),
    z.strictObject({ code: z.literal('replay'), status: z.enum(['skipped', 'failed', 'ignored']) }),
    z.strictObject({ code: z.literal('open_delivery'), deliveryId: z.string() }),
    z.strictObject({ code: z.literal('open_deliveries') }),
    z.strictObject({ code: z.literal('open_workflow'), url: z.string() }),
  ])
  .nullable()
  .meta({
    id: 'FindingAction',
    description: 'The first action as a code a page can act on (`firstAction` says it in prose, with the API calls); `null` where the first step is outside Linquid.',
  });

export const Finding = z
  .strictObject({
    scenario: z.string(),
    severity: z.enum(['degraded', 'failing']),
    likelyCause: z.string(),
    firstAction: z.string(),
    action: FindingAction,
    evidence: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Finding' });

export const Diagnostics = z
  .strictObject({ integrationId: z.string(), provider: z.string(), state: z.enum(INTEGRATION_STATES), checkedAt: instant, findings: z.array(Finding) })
  .meta({ id: 'Diagnostics' });

export const TestReport = z
  .strictObject({
    integrationId: z.string(),
    provider: z.string(),
    state: z.enum(INTEGRATION_STATES),
    synced: z.boolean().meta({ description: 'False when the integration is paused or disconnected: nothing it receives is synced.' }),
    passed: z.boolean(),
    steps: z.array(
      z.strictObject({
        step: z.number(),
        name: z.enum(['send', 'landed', 'values', 'duplicate', 'state']),
        direction: z.enum(['inbound', 'outbound', 'lifecycle']),
        ok: z.boolean(),
        detail: z.string(),
        data: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
  })
  .meta({ id: 'TestReport' });

export const Delivery = z
  .strictObject({
    id: z.string(),
    integrationId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    reason: z.string().nullable(),
    attemptCount: z.number(),
    round: z.number().meta({ description: 'Bumped by a redelivery or a resume.' }),
    lastStatusCode: z.number().nullable(),
    lastLatencyMs: z.number().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: nullableInstant,
    createdAt: instant,
    updatedAt: instant,
    deliveredAt: nullableInstant,
  })
  .meta({ id: 'Delivery' });

export const DeliveryHealth = z.strictObject({ consecutiveFailures: z.number(), failingSince: nullableInstant, lastSuccessAt: nullableInstant, lastFailureAt: nullableInstant });

const Attempt = z.strictObject({
  attempt: z.number(),
  round: z.number(),
  startedAt: instant,
  latencyMs: z.number(),
  outcome: z.string(),
  requestHeaders: z.record(z.string(), z.string()),
  statusCode: z.number().nullable(),
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
});

export const DeliveryDetail = Delivery.extend({ event: z.record(z.string(), z.unknown()), attempts: z.array(Attempt) }).meta({ id: 'DeliveryDetail' });
