import { z } from 'zod';
import { INTEGRATION_STATES as STATES } from '../../contract/states';

/**
 * Response schemas of the main resources, as the views build them (api/integration-view.ts,
 * api/read-views.ts). Strict, so the contract test that parses real answers with them fails when a
 * view gains or loses a field.
 */

const instant = z.iso.datetime();

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
    actions: z
      .array(z.strictObject({ action: z.string(), allowed: z.boolean(), reason: z.string().optional() }))
      .meta({ description: 'The lifecycle actions the transition table allows from this state; a refused one carries the reason.' }),
    links: z.strictObject({ temporalUi: z.string().meta({ description: "This integration's workflow in the Temporal Web UI." }) }),
    health: z.looseObject({ status: z.enum(['healthy', 'degraded', 'failing']), reasons: z.array(z.string()), findings: z.array(z.string()) }).optional().meta({ description: 'Only on `GET /v1/integrations/{id}`.' }),
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

export const WorkspaceEvent = z
  .strictObject({
    id: z.string(),
    type: z.string(),
    createdAt: instant,
    workspaceId: z.string(),
    data: z.record(z.string(), z.unknown()),
    integrationId: z.string().nullable(),
    isTest: z.boolean(),
  })
  .meta({ id: 'WorkspaceEvent' });
