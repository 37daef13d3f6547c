import { sql, type Transaction } from 'kysely';
import type { Db } from '..';
import type { AmountPending, CustomerRef, DocumentAmount } from '../../providers/types';
import type { Database } from '../schema';
import { conversionEventData } from '../../contract/workspace-event-payloads';
import type { InboundFacts, Origin } from './inbound-facts';
import type { NewWorkspaceEvent } from './events';

type Trx = Transaction<Database>;

/** A conversions row that is a sale stored without its amount, waiting for one (the partial index's predicate). */
export const isAmountPending = sql<boolean>`(amount_minor IS NULL AND metadata ? 'amountPending')`;

/** A sale the batch completed (`sale.created`) or whose amount it changed (`sale.updated`), credited to the event that named it. */
export interface SettledSale {
  index: number;
  conversionId: string;
  event: NewWorkspaceEvent;
}

/** The documents one batch names, by (workspace, provider, external id). */
interface Named {
  index: number;
  origin: Origin;
  externalId: string;
  customerId: string | null;
  /** The latest amount this batch reports for it. */
  report?: DocumentAmount;
}

const documentKey = (workspaceId: string, provider: string, externalId: string) => [workspaceId, provider, externalId].join('\u0000');

function namedDocuments(batch: InboundFacts[], customerIdOf: (origin: Origin, ref: CustomerRef) => string | undefined): Map<string, Named> {
  const named = new Map<string, Named>();
  batch.forEach(({ origin, effects }, index) => {
    for (const effect of effects) {
      const report = effect.kind === 'amount' ? effect.amount : undefined;
      const pendingSale = effect.kind === 'conversion' && effect.conversion.amountPending ? effect.conversion : undefined;
      if (!report && !pendingSale) continue;
      const externalId = (report ?? pendingSale)!.externalId;
      const key = documentKey(origin.workspaceId, origin.provider, externalId);
      const seen = named.get(key);
      const customer = report?.customer ?? pendingSale?.customer;
      const newer = report && (!seen?.report || Date.parse(report.asOf) >= Date.parse(seen.report.asOf));
      named.set(key, {
        index,
        origin,
        externalId,
        customerId: (customer && customerIdOf(origin, customer)) ?? seen?.customerId ?? null,
        report: newer ? report : seen?.report,
      });
    }
  });
  return named;
}

/**
 * Records the batch's amount reports (per document, the latest by the provider's time wins, stored or
 * new), then gives each sale of a document the batch names the latest amount known for it: a pending
 * sale is completed (`sale.created`, announced only now), a known amount that changed is updated with
 * the previous one kept in `metadata.amount.previous` (`sale.updated`). A report naming the customer
 * gives it to a sale that has none.
 */
export async function settleAmounts(trx: Trx, batch: InboundFacts[], customerIdOf: (origin: Origin, ref: CustomerRef) => string | undefined): Promise<SettledSale[]> {
  const named = namedDocuments(batch, customerIdOf);
  if (named.size === 0) return [];
  const reports = [...named.entries()].filter(([, entry]) => entry.report).sort(([a], [b]) => (a < b ? -1 : 1));
  if (reports.length > 0) {
    await trx
      .insertInto('document_amounts')
      .values(
        reports.map(([, { origin, report }]) => ({
          workspace_id: origin.workspaceId,
          provider: origin.provider,
          external_id: report!.externalId,
          amount_minor: report!.amountMinor,
          currency: report!.currency.toUpperCase(),
          as_of: report!.asOf,
          source: report!.source,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'provider', 'external_id'])
          .doUpdateSet({ amount_minor: sql`excluded.amount_minor`, currency: sql`excluded.currency`, as_of: sql`excluded.as_of`, source: sql`excluded.source`, updated_at: sql`now()` })
          .where(sql<boolean>`excluded.as_of >= document_amounts.as_of`),
      )
      .execute();
  }
  const targets = [...named.values()].map((entry) => sql`(${entry.origin.workspaceId}, ${entry.origin.provider}, ${entry.externalId}, ${entry.customerId}::text)`);
  // `before` is the statement's snapshot of each sale, so the previous amount comes back with the new one.
  const { rows } = await sql<SettledRow>`
    WITH target(workspace_id, provider, external_id, customer_id) AS (VALUES ${sql.join(targets)}),
    updated AS (
      UPDATE conversions c SET
        amount_minor = d.amount_minor,
        currency = d.currency,
        customer_id = coalesce(c.customer_id, t.customer_id),
        metadata = CASE WHEN c.amount_minor IS NOT DISTINCT FROM d.amount_minor AND c.currency IS NOT DISTINCT FROM d.currency THEN c.metadata
          ELSE (c.metadata - 'amountPending') || jsonb_build_object('amount', jsonb_strip_nulls(jsonb_build_object('source', d.source, 'asOf', d.as_of,
            'previous', CASE WHEN before.amount_minor IS NULL THEN NULL ELSE jsonb_build_object('amountMinor', before.amount_minor, 'currency', before.currency) END)))
        END
      FROM target t
      JOIN document_amounts d ON d.workspace_id = t.workspace_id AND d.provider = t.provider AND d.external_id = t.external_id
      JOIN conversions before ON before.workspace_id = t.workspace_id AND before.provider = t.provider AND before.external_id = t.external_id AND before.type = 'sale'
      WHERE c.id = before.id
        AND (c.amount_minor IS DISTINCT FROM d.amount_minor OR c.currency IS DISTINCT FROM d.currency OR (c.customer_id IS NULL AND t.customer_id IS NOT NULL))
      RETURNING c.id, c.workspace_id, c.provider, c.integration_id, c.external_id, c.event_name, c.amount_minor, c.currency, c.quantity, c.occurred_at,
        c.click_id, c.link_key, c.is_test, c.customer_id, before.amount_minor AS previous_amount_minor, before.currency AS previous_currency
    )
    SELECT updated.id, updated.workspace_id, updated.provider, updated.integration_id, updated.external_id, updated.event_name, updated.amount_minor,
      updated.currency, updated.quantity, updated.occurred_at, updated.click_id, updated.link_key, updated.is_test, updated.customer_id,
      updated.previous_amount_minor, updated.previous_currency, cu.external_id AS customer_external_id, cu.email AS customer_email, cu.name AS customer_name
    FROM updated LEFT JOIN customers cu ON cu.id = updated.customer_id`.execute(trx);
  return rows.flatMap((row) => {
    const changed = row.previous_amount_minor === null || row.previous_amount_minor !== row.amount_minor || row.previous_currency !== row.currency;
    if (!changed) return [];
    const { index } = named.get(documentKey(row.workspace_id, row.provider, row.external_id))!;
    const type = row.previous_amount_minor === null ? 'sale.created' : 'sale.updated';
    return [{ index, conversionId: row.id, event: { type, data: settledSaleData(row), workspaceId: row.workspace_id, integrationId: row.integration_id, isTest: row.is_test } }];
  });
}

interface SettledRow {
  id: string;
  workspace_id: string;
  provider: string;
  integration_id: string;
  external_id: string;
  event_name: string;
  amount_minor: string;
  currency: string;
  quantity: number | null;
  occurred_at: Date;
  click_id: string | null;
  link_key: string | null;
  is_test: boolean;
  customer_id: string | null;
  previous_amount_minor: string | null;
  previous_currency: string | null;
  customer_external_id: string | null;
  customer_email: string | null;
  customer_name: string | null;
}

/** The sale as `sale.created` always carries it; `sale.updated` adds the amount it had before. */
function settledSaleData(row: SettledRow) {
  return conversionEventData(
    {
      id: row.id,
      type: 'sale',
      eventName: row.event_name,
      amountMinor: Number(row.amount_minor),
      currency: row.currency,
      quantity: row.quantity,
      occurredAt: row.occurred_at.toISOString(),
      externalId: row.external_id,
      refundsExternalId: null,
      saleConversionId: null,
      clickId: row.click_id,
      linkKey: row.link_key,
      provider: row.provider,
      integrationId: row.integration_id,
    },
    row.customer_id ? { id: row.customer_id, externalId: row.customer_external_id, email: row.customer_email, name: row.customer_name } : null,
    row.previous_amount_minor === null ? undefined : { amountMinor: Number(row.previous_amount_minor), currency: row.previous_currency },
  );
}

/** How far back the drain looks for sales still waiting for their amount, and how many it reads again at once. */
const PENDING_LOOKBACK_DAYS = 7;
const PENDING_RETRY_LIMIT = 100;

/** The integration's sales still waiting for their amount, oldest first (a bounded number). */
export function pendingSales(db: Db, integrationId: string) {
  return db
    .selectFrom('conversions')
    .select(['id', 'workspace_id', 'provider', 'external_id', 'external_event_id', 'inbox_id', 'is_test'])
    .where('integration_id', '=', integrationId)
    .where(isAmountPending)
    .where('type', '=', 'sale')
    .where('created_at', '>', sql<Date>`now() - make_interval(days => ${PENDING_LOOKBACK_DAYS})`)
    .orderBy('created_at')
    .limit(PENDING_RETRY_LIMIT)
    .execute();
}

/** Records why sales still wait, where the reason changed (a token stored, then refused…). */
export async function recordPendingReasons(trx: Trx, integrationId: string, stillPending: Array<{ externalId: string; pending: AmountPending }>): Promise<void> {
  if (stillPending.length === 0) return;
  const values = stillPending.map(({ externalId, pending }) => sql`(${externalId}, ${JSON.stringify(pending)}::jsonb)`);
  await sql`UPDATE conversions SET metadata = jsonb_set(metadata, '{amountPending}', v.pending)
    FROM (VALUES ${sql.join(values)}) AS v(external_id, pending)
    WHERE conversions.integration_id = ${integrationId} AND conversions.type = 'sale' AND conversions.external_id = v.external_id
      AND conversions.amount_minor IS NULL AND conversions.metadata->'amountPending' IS DISTINCT FROM v.pending`.execute(trx);
}
