import { type Transaction, sql } from 'kysely';
import type { Database } from '../schema';
import type { InboundFacts } from './inbound-facts';

type Trx = Transaction<Database>;
type Alias = { workspace_id: string; provider: string; alias: string; sale_external_id: string };

const key = (workspaceId: string, provider: string, id: string) => JSON.stringify([workspaceId, provider, id]);

/**
 * Records the batch's sale aliases (another id of a sale: the payment that paid an invoice) and resolves
 * refunds through them, so that a refund naming the payment ends linked to the invoice's sale whichever of
 * the refund, the alias and the sale arrives first:
 * - stored refunds naming a new alias name its sale from now on (and link to it when it is stored; a sale
 *   stored later finds them like any refund naming it);
 * - the batch's refunds naming a known alias (stored, or in this batch) name its sale instead.
 * The first sale recorded for an alias keeps it. Returns the batch with those refunds rewritten.
 */
export async function applySaleAliases(trx: Trx, batch: InboundFacts[]): Promise<InboundFacts[]> {
  const aliases = new Map<string, Alias>();
  const named = new Map<string, [string, string, string]>();
  for (const { origin, effects } of batch) {
    for (const effect of effects) {
      if (effect.kind === 'saleAlias' && effect.alias !== effect.saleExternalId) {
        const alias = key(origin.workspaceId, origin.provider, effect.alias);
        if (!aliases.has(alias)) aliases.set(alias, { workspace_id: origin.workspaceId, provider: origin.provider, alias: effect.alias, sale_external_id: effect.saleExternalId });
      }
      const refunded = effect.kind === 'conversion' && effect.conversion.type === 'refund' ? effect.conversion.refundsExternalId : undefined;
      if (refunded) named.set(key(origin.workspaceId, origin.provider, refunded), [origin.workspaceId, origin.provider, refunded]);
    }
  }
  if (aliases.size > 0) {
    // In key order, so concurrent drains lock shared aliases in the same order.
    const inserted = await trx
      .insertInto('sale_aliases')
      .values([...aliases.keys()].sort().map((alias) => aliases.get(alias)!))
      .onConflict((oc) => oc.columns(['workspace_id', 'provider', 'alias']).doNothing())
      .returning(['workspace_id', 'provider', 'alias', 'sale_external_id'])
      .execute();
    if (inserted.length > 0) await renameRefundedSales(trx, inserted);
  }
  if (named.size === 0) return batch;
  const known = await trx
    .selectFrom('sale_aliases')
    .select(['workspace_id', 'provider', 'alias', 'sale_external_id'])
    .where((eb) => eb(eb.refTuple('workspace_id', 'provider', 'alias'), 'in', [...named.values()].map(([workspace, provider, id]) => eb.tuple(workspace, provider, id))))
    .execute();
  if (known.length === 0) return batch;
  const saleOf = new Map(known.map((row) => [key(row.workspace_id, row.provider, row.alias), row.sale_external_id]));
  return batch.map(({ origin, effects }) => ({
    origin,
    effects: effects.map((effect) => {
      if (effect.kind !== 'conversion' || effect.conversion.type !== 'refund' || !effect.conversion.refundsExternalId) return effect;
      const sale = saleOf.get(key(origin.workspaceId, origin.provider, effect.conversion.refundsExternalId));
      return sale ? { ...effect, conversion: { ...effect.conversion, refundsExternalId: sale } } : effect;
    }),
  }));
}

/** Unlinked refunds that named a payment now name the sale it paid, and link to that sale if it is stored. */
async function renameRefundedSales(trx: Trx, aliases: Alias[]): Promise<void> {
  const values = aliases.map((alias) => sql`(${alias.workspace_id}, ${alias.provider}, ${alias.alias}, ${alias.sale_external_id})`);
  await sql`UPDATE conversions SET refunds_external_id = alias.sale_external_id,
      sale_conversion_id = (SELECT sale.id FROM conversions sale WHERE sale.type = 'sale' AND sale.workspace_id = alias.workspace_id
        AND sale.provider = alias.provider AND sale.external_id = alias.sale_external_id)
    FROM (VALUES ${sql.join(values)}) AS alias(workspace_id, provider, alias, sale_external_id)
    WHERE conversions.type = 'refund' AND conversions.sale_conversion_id IS NULL AND conversions.workspace_id = alias.workspace_id
      AND conversions.provider = alias.provider AND conversions.refunds_external_id = alias.alias`.execute(trx);
}
