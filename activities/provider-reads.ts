import type { Selectable } from 'kysely';
import type { Db } from '../db';
import { pendingSales, recordPendingReasons } from '../db/queries/amounts';
import { applyInboundFacts } from '../db/queries/conversions';
import type { InboundFacts } from '../db/queries/inbound-facts';
import { openSecrets } from '../db/queries/secrets';
import type { InboxTable } from '../db/schema';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import type { CredentialContext, ProviderModule } from '../providers/types';

/** A read's whole budget, inside the drain's 10 s heartbeat timeout: a slower provider counts as unreachable. */
const READ_TIMEOUT_MS = 5_000;

/** When this worker last re-read an integration's pending sales: a throttle only, so per process is enough. */
const lastRetryAt = new Map<string, number>();

/** An inbox row as the provider needs it. */
type PendingRow = Pick<Selectable<InboxTable>, 'id' | 'dedup_key' | 'event_type' | 'payload'>;

/** What the drain asks a provider's API, for one integration, with its stored secrets. */
export interface ProviderReads {
  /** Enrichment of the given rows, by inbox row id (`enrich` of the provider module). */
  enrich(rows: PendingRow[]): Promise<Map<string, unknown>>;
  /**
   * Reads again the sales still waiting for their amount, when `pendingAmountRetryMs` has passed since
   * the last time, and applies what it learns; true when it announced something.
   */
  retryPendingAmounts(): Promise<boolean>;
}

export interface ProviderReadDeps {
  db: Db;
  box: SecretBox;
  config: Config;
}

/**
 * The provider API reads of a drain, for providers whose webhooks leave things out (HubSpot's deal
 * amount); undefined for the others. Calls happen outside any transaction and never fail the drain:
 * the provider module turns an API that cannot be asked into a pending reason.
 */
export async function providerReads(deps: ProviderReadDeps, integrationId: string, provider: ProviderModule, settings: unknown): Promise<ProviderReads | undefined> {
  const inbound = provider.inbound;
  if (!inbound?.enrich && !inbound?.readPendingAmounts) return undefined;
  const row = await deps.db.selectFrom('integrations').select('secrets_sealed').where('id', '=', integrationId).executeTakeFirstOrThrow();
  const ctx: CredentialContext<unknown, Record<string, unknown>> = {
    settings,
    secrets: openSecrets(deps.box, row),
    apiUrl: deps.config.providerApiUrls[provider.id],
    timeoutMs: READ_TIMEOUT_MS,
  };
  return {
    enrich: async (rows) => {
      const enriched = new Map<string, unknown>();
      if (!inbound.enrich || rows.length === 0) return enriched;
      const events = await inbound.enrich(rows.map((entry) => ({ dedupKey: entry.dedup_key, type: entry.event_type, payload: entry.payload })), ctx);
      events.forEach((event, index) => {
        if (event.enrichment !== undefined) enriched.set(String(rows[index].id), event.enrichment);
      });
      return enriched;
    },
    retryPendingAmounts: async () => {
      if (!inbound.readPendingAmounts || Date.now() - (lastRetryAt.get(integrationId) ?? 0) < deps.config.pendingAmountRetryMs) return false;
      lastRetryAt.set(integrationId, Date.now());
      const pending = await pendingSales(deps.db, integrationId);
      if (pending.length === 0) return false;
      const read = await inbound.readPendingAmounts(pending.map((sale) => sale.external_id), ctx);
      const saleOf = new Map(pending.map((sale) => [sale.external_id, sale]));
      const facts: InboundFacts[] = read.amounts.flatMap((amount) => {
        const sale = saleOf.get(amount.externalId);
        if (!sale) return [];
        const origin = { workspaceId: sale.workspace_id, integrationId, provider: sale.provider, inboxId: Number(sale.inbox_id ?? 0), externalEventId: sale.external_event_id, isTest: sale.is_test };
        return [{ origin, effects: [{ kind: 'amount', amount }] }];
      });
      return deps.db.transaction().execute(async (trx) => {
        const applied = facts.length === 0 ? [] : await applyInboundFacts(trx, facts);
        await recordPendingReasons(trx, integrationId, read.stillPending);
        return applied.some((entry) => entry.eventIds.length > 0);
      });
    },
  };
}
