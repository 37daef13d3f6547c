import { callProvider } from '../destination-sender';
import type { Client } from '@temporalio/client';
import { SAMPLE_SALE } from '../../providers/shared/sample';
import type { OutboundEnvelope, WorkspaceEventType } from '../../contract/workspace-events';
import type { DeliveryResult } from '../../providers/types';
import type { StepResult, TestRunContext } from './types';

/** The sample's event type: the first of these the destination subscribes to. */
const PREFERRED: WorkspaceEventType[] = ['sale.created', 'lead.created', 'customer.created'];

const step = (name: StepResult['name'], ok: boolean, detail: string, data?: Record<string, unknown>): StepResult => ({ name, direction: 'outbound', ok, detail, ...(data ? { data } : {}) });

function sampleEnvelope(workspaceId: string, integrationId: string, runId: string, type: WorkspaceEventType): OutboundEnvelope {
  const conversionType = type.split('.')[0];
  return {
    id: `evt_test_${runId}`,
    type,
    createdAt: new Date().toISOString(),
    workspaceId,
    data: {
      test: true,
      conversion: {
        id: `cnv_test_${runId}`,
        type: conversionType,
        eventName: conversionType === 'lead' ? 'Sign up' : 'Purchase',
        amountMinor: SAMPLE_SALE.amountMinor,
        currency: SAMPLE_SALE.currency,
        externalId: `test-order-${runId}`,
        provider: 'linquid-test',
      },
      customer: { id: `cus_test_${runId}`, externalId: `test-user-${runId}`, email: `test+${runId}@example.com`, name: 'Linquid Test' },
      integrationId,
      from: 'active',
      to: 'active',
      reason: 'test event',
    },
  };
}

/** The envelope this destination would receive, or undefined when it subscribes to nothing. */
function outboundSample(ctx: Pick<TestRunContext, 'row' | 'provider' | 'runId'>): OutboundEnvelope | undefined {
  const { row, provider, runId } = ctx;
  const settings = provider.settingsSchema.safeParse(row.settings);
  if (!provider.outbound || !settings.success) return undefined;
  const types = [...PREFERRED, ...provider.outboundTriggerEvents.filter((type) => !PREFERRED.includes(type))];
  return types
    .map((type) => sampleEnvelope(row.workspace_id, row.id, runId, type))
    .find((envelope) => provider.outbound!.subscribes(envelope, settings.data));
}

const answerOf = (result: DeliveryResult) => ({ statusCode: result.statusCode, outcome: result.outcome, response: result.responseBodySnippet, error: result.error ?? null });

/**
 * The outbound checklist: one sample workspace event delivered straight to the destination through
 * the same provider call the delivery workflow makes (no delivery row: a test never shows in the
 * delivery log or the destination's health). A paused or disconnected destination is not called.
 */
export async function runOutboundTest(ctx: TestRunContext & { temporal: Client }): Promise<StepResult[]> {
  const { row } = ctx;
  const envelope = outboundSample(ctx);
  if (!envelope) return [step('send', false, 'trigger disabled: this destination subscribes to none of the workspace events (check its event list / routes)')];
  if (row.state === 'paused' || row.state === 'disconnected') {
    return [step('send', false, `not sent: the destination is ${row.state}, it receives nothing`, { eventId: envelope.id, type: envelope.type })];
  }
  const startedAt = Date.now();
  const result = await callProvider(ctx, `dlv_test_${ctx.runId}`, envelope, row);
  const delivered = result.outcome === 'success';
  return [
    step('send', delivered, `${envelope.type} ${envelope.id} ${delivered ? 'delivered' : `not delivered: ${result.error ?? result.outcome}`}`, { eventId: envelope.id, type: envelope.type, latencyMs: Date.now() - startedAt }),
    step('landed', delivered, delivered ? `the destination accepted it (${result.statusCode ?? 'no status'})` : 'the destination did not accept it', { ...answerOf(result), requestHeaders: result.requestHeaders }),
  ];
}
