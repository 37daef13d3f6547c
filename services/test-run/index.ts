import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db';
import { deliversEvents } from '../../db/queries/integrations';
import type { IntegrationRow } from '../../db/schema';
import { getProvider } from '../../providers';
import type { Config } from '../../lib/config';
import type { SecretBox } from '../../lib/crypto';
import { runInboundTest } from './inbound';
import { runOutboundTest } from './outbound';
import type { StepResult, TestReport } from './types';

export type { TestReport } from './types';

const NOT_SYNCED: Record<string, string> = {
  paused: 'paused: webhooks are acknowledged and recorded as skipped, destinations receive nothing; nothing is synced until it is resumed',
  disconnected: 'disconnected: webhooks are answered 410 and nothing is synced',
};

function stateStep(row: IntegrationRow): StepResult {
  const notSynced = NOT_SYNCED[row.state];
  if (notSynced) return { name: 'state', direction: 'lifecycle', ok: false, detail: notSynced, data: { state: row.state, reason: row.state_reason } };
  const detail = row.state === 'error' ? `in error (${row.state_reason ?? 'no reason'}): events are still received, but it needs attention (see /diagnostics)` : `${row.state}: events are synced`;
  return { name: 'state', direction: 'lifecycle', ok: row.state !== 'error', detail, data: { state: row.state, reason: row.state_reason } };
}

/**
 * `POST /v1/integrations/:id/test`: the provider's testing checklist, step by step. Inbound providers
 * get a signed sample through the public webhook route; destinations (and two-way providers set up as
 * one) get a sample workspace event; the last step says whether the integration syncs at all.
 */
export async function runIntegrationTest(deps: { db: Db; box: SecretBox; config: Config; temporal: Client }, row: IntegrationRow): Promise<TestReport> {
  const provider = getProvider(row.provider)!;
  const ctx = { ...deps, row, provider, runId: randomBytes(8).toString('hex') };
  const results: StepResult[] = [];
  if (provider.inbound && provider.sampleEvent) results.push(...(await runInboundTest(ctx)));
  // A two-way provider installed only to receive (no destination URL, no write key…) is not a destination.
  if (deliversEvents(row)) results.push(...(await runOutboundTest(ctx)));
  results.push(stateStep(row));
  const steps = results.map((result, index) => ({ step: index + 1, ...result }));
  return {
    integrationId: row.id,
    provider: row.provider,
    state: row.state,
    synced: !NOT_SYNCED[row.state],
    passed: steps.every((entry) => entry.ok),
    steps,
  };
}
