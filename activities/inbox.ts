import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { Db } from '../db';
import { type BatchLimits, hasPending, integrationToDrain, rearmDoorbell } from '../db/queries/inbox-drain';
import { metrics } from '../lib/metrics';
import { getProvider } from '../providers';
import { drainBatch, type InboxSource, type ProviderLifecycleRequest } from './inbox-batch';
import { providerReads, type ProviderReadDeps } from './provider-reads';

export interface DrainInboxInput {
  integrationId: string;
}

export interface DrainInboxResult {
  processed: number;
  /** More rows are waiting: the workflow drains again without needing another doorbell. */
  more: boolean;
  /** Lifecycle changes the provider asked for (app uninstalled, account deauthorized…). */
  lifecycle: ProviderLifecycleRequest[];
}

/**
 * One activity keeps draining while events keep coming, up to this long: under load, history grows by
 * one activity per budget of traffic instead of one per batch. A lifecycle request does not wait for it
 * (the workflow cancels the drain, and it stops after its current batch).
 */
const DRAIN_BUDGET_MS = 20_000;
/** Once the inbox is empty, how long the activity waits for the next event before handing back. */
const LINGER_MS = 1_000;
/** How often an idle drain looks for new rows (one indexed probe, no transaction): lag it may add. */
const POLL_MS = 250;

/**
 * Drains the integration's inbox in batches, one transaction each: every event is normalized by its
 * provider module and applied idempotently; a poison event fails alone. When the inbox stays empty the
 * doorbell is re-armed (see `ringDoorbells` in services/doorbell). `announce` is called after each batch that committed
 * workspace events (the outbox dispatcher): a long drain does not hold back deliveries until it ends.
 * Providers whose webhooks leave things out get their API asked before each batch's transaction
 * (`providerReads`): for sales still waiting for an amount, and for the batch's events.
 */
export function drainInboxActivity({ db, box, config }: ProviderReadDeps, limits: BatchLimits, announce: () => void) {
  return async function drainInbox({ integrationId }: DrainInboxInput): Promise<DrainInboxResult> {
    const integration = await integrationToDrain(db, integrationId);
    const provider = getProvider(integration.provider);
    // A destination-only integration (Slack) has no inbox; failing here would retry forever and block its workflow.
    if (!provider?.inbound) return { processed: 0, more: false, lifecycle: [] };
    const settings = provider.settingsSchema.parse(integration.settings);
    const source: InboxSource = { integrationId, workspaceId: integration.workspace_id, providerId: integration.provider, provider, settings };
    const reads = await providerReads({ db, box, config }, integrationId, provider, settings);
    const activity = Context.current();
    const deadline = Date.now() + DRAIN_BUDGET_MS;
    const lifecycle: ProviderLifecycleRequest[] = [];
    let processed = 0;
    for (;;) {
      const batch = await drainBatch(db, source, limits, reads, announce);
      lifecycle.push(...batch.requested);
      metrics.inboxBatchSize.observe(batch.rows);
      processed += batch.rows;
      // The workflow applies the provider's lifecycle request, or a lifecycle request of its own, first.
      if (lifecycle.length > 0 || activity.cancellationSignal.aborted) break;
      if (Date.now() >= deadline) return { processed, more: true, lifecycle };
      // Nothing at all (a repeated ring, a new run): hand back at once. A full batch (rows or bytes):
      // more is waiting. Otherwise wait a little for the next events (fewer, larger batches).
      if (processed === 0) break;
      if (!batch.full && !(await pendingWithin(db, integrationId, Math.min(LINGER_MS, deadline - Date.now())))) break;
    }
    const more = await rearmDoorbell(db, integrationId);
    return { processed, more, lifecycle };
  };
}

/** Whether a row arrives within `ms`, looking every POLL_MS; false at once when the workflow cancelled the drain. */
async function pendingWithin(db: Db, integrationId: string, ms: number): Promise<boolean> {
  const activity = Context.current();
  for (const until = Date.now() + ms; Date.now() < until && !activity.cancellationSignal.aborted; ) {
    await delay(POLL_MS);
    activity.heartbeat();
    if (await hasPending(db, integrationId)) return true;
  }
  return false;
}
