import { type Insertable, type Transaction, sql } from 'kysely';
import { conversionEventData, customerEventData } from '../../contract/workspace-event-payloads';
import { conversionCreatedEvent } from '../../contract/workspace-events';
import { randomId } from '../../lib/crypto';
import type { ConversionInput, CustomerRef } from '../../providers/types';
import type { ConversionsTable, Database } from '../schema';
import { settleAmounts } from './amounts';
import { emitWorkspaceEvents, type NewWorkspaceEvent } from './events';
import { reconcileRefundReports } from './refund-reports';
import type { InboundFacts, Origin } from './inbound-facts';
import { applySaleAliases } from './sale-aliases';

export interface Applied {
  customerIds: string[];
  conversionIds: string[];
  eventIds: string[];
}

type Trx = Transaction<Database>;
type Upserted = { id: string; email: string | null; name: string | null; isTest: boolean; created: boolean; announced: boolean };
type Written = { id: string; created: boolean };

const key = (...parts: Array<string | null>) => parts.join('\u0000');
const customerKey = (origin: Origin, ref: CustomerRef) => key(origin.workspaceId, origin.provider, ref.externalId);
/** The customer an effect names: the customer itself, a conversion's, or the one an amount report names. */
const customerRefOf = (effect: InboundFacts['effects'][number]) =>
  effect.kind === 'customer' ? effect.customer : effect.kind === 'conversion' ? effect.conversion.customer : effect.kind === 'amount' ? effect.amount.customer : undefined;

/**
 * Applies a batch of inbound events idempotently with a handful of statements, whatever the batch's
 * size: customers, conversions, refund links, reported amounts, then the workspace events announcing what is new. The
 * end state is the one applying the events one by one in order would give; `Applied` says, per event,
 * which rows it touched and which events it emitted.
 */
export async function applyInboundFacts(trx: Trx, reported: InboundFacts[]): Promise<Applied[]> {
  // Refunds first: the sale they name through an alias, and whether another report of the same refund is stored.
  const batch = await reconcileRefundReports(trx, await applySaleAliases(trx, reported));
  const customers = await upsertCustomers(trx, batch);
  const conversions = await insertConversions(trx, batch, customers);
  const events: NewWorkspaceEvent[] = [];
  const emittedBy: number[] = [];
  const applied = batch.map(({ origin, effects }, index): Applied => {
    const touched: Applied = { customerIds: [], conversionIds: [], eventIds: [] };
    const announce = (event: Omit<NewWorkspaceEvent, 'workspaceId' | 'integrationId' | 'isTest'>, isTest = origin.isTest) => {
      events.push({ ...event, workspaceId: origin.workspaceId, integrationId: origin.integrationId, isTest });
      emittedBy.push(index);
    };
    for (const effect of effects) {
      const ref = customerRefOf(effect);
      const customer = ref ? customers.get(customerKey(origin, ref))! : undefined;
      if (ref && customer) {
        touched.customerIds.push(customer.id);
        if (customer.created && !customer.announced) {
          customer.announced = true;
          announce({
            type: 'customer.created',
            data: customerEventData({ id: customer.id, externalId: ref.externalId, email: customer.email, name: customer.name, provider: origin.provider }),
          }, customer.isTest);
        }
      }
      if (effect.kind !== 'conversion') continue;
      const written = conversions.get(effect.conversion)!;
      if (!written.created) continue;
      touched.conversionIds.push(written.id);
      // A sale waiting for its amount is announced once it has one (settleAmounts).
      if (effect.conversion.amountPending) continue;
      announce({ type: conversionCreatedEvent(effect.conversion.type), data: createdEventData(origin, effect.conversion, written.id, customer?.id ?? null, written.saleId) });
    }
    return touched;
  });
  for (const settled of await settleAmounts(trx, batch, (origin, ref) => customers.get(customerKey(origin, ref))?.id)) {
    const touched = applied[settled.index];
    if (!touched.conversionIds.includes(settled.conversionId)) touched.conversionIds.push(settled.conversionId);
    events.push(settled.event);
    emittedBy.push(settled.index);
  }
  const emitted = await emitWorkspaceEvents(trx, events);
  emitted.forEach(({ id }, index) => applied[emittedBy[index]].eventIds.push(id));
  return applied;
}

/**
 * Inserts or enriches every customer the batch names, in one statement: later data fills blanks, never
 * erases. A customer is test data only while nothing but test data names it (a shop's test order and
 * its real orders share the customer). Rows go in key order so concurrent drains lock shared customers
 * in the same order.
 */
async function upsertCustomers(trx: Trx, batch: InboundFacts[]): Promise<Map<string, Upserted>> {
  const merged = new Map<string, { origin: Origin; ref: CustomerRef; isTest: boolean }>();
  for (const { origin, effects } of batch) {
    for (const effect of effects) {
      const ref = customerRefOf(effect);
      if (!ref) continue;
      const seen = merged.get(customerKey(origin, ref));
      if (!seen) merged.set(customerKey(origin, ref), { origin, ref: { ...ref }, isTest: origin.isTest });
      else {
        seen.ref = { externalId: ref.externalId, email: ref.email ?? seen.ref.email, name: ref.name ?? seen.ref.name };
        seen.isTest &&= origin.isTest;
      }
    }
  }
  const upserted = new Map<string, Upserted>();
  if (merged.size === 0) return upserted;
  const now = new Date();
  const rows = await trx
    .insertInto('customers')
    .values(
      [...merged.keys()].sort().map((customer) => {
        const { origin, ref, isTest } = merged.get(customer)!;
        return {
          id: randomId('cus'),
          workspace_id: origin.workspaceId,
          provider: origin.provider,
          external_id: ref.externalId,
          email: ref.email ?? null,
          name: ref.name ?? null,
          integration_id: origin.integrationId,
          is_test: isTest,
          updated_at: now,
        };
      }),
    )
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'provider', 'external_id']).doUpdateSet({
        email: sql`coalesce(excluded.email, customers.email)`,
        name: sql`coalesce(excluded.name, customers.name)`,
        is_test: sql`customers.is_test and excluded.is_test`,
        updated_at: now,
      }),
    )
    .returning(['id', 'workspace_id', 'provider', 'external_id', 'email', 'name', 'is_test', sql<boolean>`(xmax = 0)`.as('created')])
    .execute();
  for (const row of rows) {
    upserted.set(key(row.workspace_id, row.provider, row.external_id), { id: row.id, email: row.email, name: row.name, isTest: row.is_test, created: row.created, announced: false });
  }
  return upserted;
}

type NewConversion = Insertable<ConversionsTable> & { customer_id: string | null; sale_conversion_id: string | null };

/** A conversion's business key: a sale/refund once per source document, a lead once per customer and event name. */
function businessKey(row: Pick<NewConversion, 'type' | 'workspace_id' | 'provider' | 'external_id' | 'customer_id' | 'event_name'>): string {
  return row.type === 'lead' ? key('lead', row.workspace_id, row.customer_id, row.event_name) : key(row.type, row.workspace_id, row.provider, row.external_id);
}

const saleKey = (row: NewConversion) => (row.type === 'refund' && row.refunds_external_id ? key(row.workspace_id, row.provider, row.refunds_external_id) : undefined);

function newConversion(origin: Origin, input: ConversionInput, customerId: string | null): NewConversion {
  return {
    id: randomId('cnv'),
    workspace_id: origin.workspaceId,
    integration_id: origin.integrationId,
    provider: origin.provider,
    type: input.type,
    event_name: input.eventName,
    customer_id: customerId,
    amount_minor: input.amountMinor ?? null,
    currency: input.currency?.toUpperCase() ?? null,
    quantity: input.quantity ?? null,
    occurred_at: input.occurredAt,
    external_id: input.externalId,
    refunds_external_id: input.refundsExternalId ?? null,
    sale_conversion_id: null,
    refund_payment: input.refundOf?.payment ?? null,
    refund_step: input.refundOf?.step ?? null,
    external_event_id: origin.externalEventId,
    click_id: input.clickId ?? null,
    link_key: input.linkKey ?? null,
    inbox_id: origin.inboxId,
    metadata: JSON.stringify({ ...input.metadata, ...(input.amountPending && { amountPending: input.amountPending }) }),
    is_test: origin.isTest,
  };
}

const fillBlanks = {
  quantity: sql<number | null>`coalesce(conversions.quantity, excluded.quantity)`,
  click_id: sql<string | null>`coalesce(conversions.click_id, excluded.click_id)`,
  link_key: sql<string | null>`coalesce(conversions.link_key, excluded.link_key)`,
  customer_id: sql<string | null>`coalesce(conversions.customer_id, excluded.customer_id)`,
};

/**
 * Inserts each conversion once per business key; a repeat (in the batch or already stored) only fills
 * blanks, so the end state does not depend on which report arrived first. Refunds and sales are linked
 * whichever arrives last. Returns, per conversion input, its row id, whether it is new, and its sale.
 */
async function insertConversions(trx: Trx, batch: InboundFacts[], customers: Map<string, Upserted>): Promise<Map<ConversionInput, Written & { saleId: string | null }>> {
  const rows = new Map<string, NewConversion>();
  const keyOf = new Map<ConversionInput, string>();
  const firstInput = new Map<string, ConversionInput>();
  for (const { origin, effects } of batch) {
    for (const effect of effects) {
      if (effect.kind !== 'conversion') continue;
      const input = effect.conversion;
      if (input.type === 'lead' && !input.customer) throw new Error('a lead needs a customer');
      const row = newConversion(origin, input, input.customer ? customers.get(customerKey(origin, input.customer))!.id : null);
      const conversion = businessKey(row);
      keyOf.set(input, conversion);
      const first = rows.get(conversion);
      if (!first) {
        rows.set(conversion, row);
        firstInput.set(conversion, input);
      }
      else for (const column of Object.keys(fillBlanks) as Array<keyof typeof fillBlanks>) first[column] ??= row[column] as never;
    }
  }
  if (rows.size === 0) return new Map();

  const refunded = new Set([...rows.values()].map(saleKey).filter((sale) => sale !== undefined));
  const sales = await storedSales(trx, refunded);
  for (const row of rows.values()) row.sale_conversion_id = sales.get(saleKey(row) ?? '') ?? null;
  const written = new Map<string, Written>();
  const documents = [...rows.values()].filter((row) => row.type !== 'lead');
  const leads = [...rows.values()].filter((row) => row.type === 'lead');
  // The partial unique indexes are named by literal predicates: a prepared statement's generic plan
  // cannot match a parameter to them (db/prepared-statements).
  const returning = ['id', 'type', 'workspace_id', 'provider', 'external_id', 'customer_id', 'event_name', sql<boolean>`(xmax = 0)`.as('created')] as const;
  const stored = [
    ...(documents.length === 0 ? [] : await trx
      .insertInto('conversions')
      .values(documents)
      .onConflict((oc) => oc.columns(['workspace_id', 'provider', 'type', 'external_id']).where('type', 'in', [sql.lit('sale' as const), sql.lit('refund' as const)]).doUpdateSet(fillBlanks))
      .returning(returning)
      .execute()),
    ...(leads.length === 0 ? [] : await trx
      .insertInto('conversions')
      .values(leads)
      .onConflict((oc) => oc.columns(['workspace_id', 'customer_id', 'event_name']).where('type', '=', sql.lit('lead' as const)).doUpdateSet(fillBlanks))
      .returning(returning)
      .execute()),
  ];
  for (const row of stored) written.set(businessKey(row), { id: row.id, created: row.created });

  // Refunds stored earlier or in this batch get the sales this batch stored (new ones, and those a batch refund names).
  const linking = stored.filter((row) => row.type === 'sale' && (row.created || refunded.has(key(row.workspace_id, row.provider, row.external_id))));
  for (const row of linking) sales.set(key(row.workspace_id, row.provider, row.external_id), row.id);
  if (linking.length > 0) {
    const values = linking.map((row) => sql`(${row.id}, ${row.workspace_id}, ${row.provider}, ${row.external_id})`);
    await sql`UPDATE conversions SET sale_conversion_id = sale.id
      FROM (VALUES ${sql.join(values)}) AS sale(id, workspace_id, provider, external_id)
      WHERE conversions.type = 'refund' AND conversions.workspace_id = sale.workspace_id
        AND conversions.provider = sale.provider AND conversions.refunds_external_id = sale.external_id`.execute(trx);
  }

  return new Map(
    [...keyOf].map(([input, conversion]) => {
      const { id, created } = written.get(conversion)!;
      // A repeat inside the batch is not new, like a repeat of a stored one.
      return [input, { id, created: created && firstInput.get(conversion) === input, saleId: sales.get(saleKey(rows.get(conversion)!) ?? '') ?? null }];
    }),
  );
}

/** Ids of the stored sales the batch's refunds point at, by (workspace, provider, external id). */
async function storedSales(trx: Trx, refunded: Set<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (refunded.size === 0) return found;
  const wanted = [...refunded].map((sale) => sale.split('\u0000'));
  const rows = await trx
    .selectFrom('conversions')
    .select(['id', 'workspace_id', 'provider', 'external_id'])
    .where('type', '=', 'sale')
    .where((eb) => eb(eb.refTuple('workspace_id', 'provider', 'external_id'), 'in', wanted.map(([workspace, provider, external]) => eb.tuple(workspace, provider, external))))
    .execute();
  for (const row of rows) found.set(key(row.workspace_id, row.provider, row.external_id), row.id);
  return found;
}

function createdEventData(origin: Origin, input: ConversionInput, id: string, customerId: string | null, saleConversionId: string | null) {
  return conversionEventData(
    {
      id,
      type: input.type,
      eventName: input.eventName,
      amountMinor: input.amountMinor ?? null,
      currency: input.currency?.toUpperCase() ?? null,
      quantity: input.quantity ?? null,
      occurredAt: input.occurredAt,
      externalId: input.externalId,
      refundsExternalId: input.refundsExternalId ?? null,
      saleConversionId,
      clickId: input.clickId ?? null,
      linkKey: input.linkKey ?? null,
      provider: origin.provider,
      integrationId: origin.integrationId,
    },
    input.customer ? { id: customerId, ...input.customer } : null,
  );
}
