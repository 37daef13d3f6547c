import { type Transaction, sql } from 'kysely';
import { randomId } from '../../lib/crypto';
import type { ConversionInput, CustomerRef } from '../../providers/types';
import type { Database } from '../schema';
import { emitWorkspaceEvent } from './events';

/** Where an inbound fact came from; every row it produces carries it. */
export interface Origin {
  workspaceId: string;
  integrationId: string;
  provider: string;
  inboxId: number;
  externalEventId: string;
  isTest: boolean;
}

export interface Applied {
  customerIds: string[];
  conversionIds: string[];
  eventIds: string[];
}

type Trx = Transaction<Database>;

/** Inserts or enriches a customer (later data fills blanks, never erases); announces new ones. */
export async function upsertCustomer(trx: Trx, origin: Origin, ref: CustomerRef, applied: Applied): Promise<string> {
  const now = new Date();
  const row = await trx
    .insertInto('customers')
    .values({
      id: randomId('cus'),
      workspace_id: origin.workspaceId,
      provider: origin.provider,
      external_id: ref.externalId,
      email: ref.email ?? null,
      name: ref.name ?? null,
      integration_id: origin.integrationId,
      is_test: origin.isTest,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'provider', 'external_id']).doUpdateSet({
        email: sql`coalesce(excluded.email, customers.email)`,
        name: sql`coalesce(excluded.name, customers.name)`,
        updated_at: now,
      }),
    )
    .returning(['id', 'email', 'name', sql<boolean>`(xmax = 0)`.as('created')])
    .executeTakeFirstOrThrow();
  applied.customerIds.push(row.id);
  if (row.created) {
    const event = await emitWorkspaceEvent(trx, {
      workspaceId: origin.workspaceId,
      type: 'customer.created',
      integrationId: origin.integrationId,
      isTest: origin.isTest,
      data: { customer: { id: row.id, externalId: ref.externalId, email: row.email, name: row.name, provider: origin.provider } },
    });
    applied.eventIds.push(event.id);
  }
  return row.id;
}

/** Inserts a conversion once per business key; a repeat changes nothing. Refunds and sales link whichever arrives last. */
export async function insertConversion(trx: Trx, origin: Origin, input: ConversionInput, applied: Applied): Promise<void> {
  if (input.type === 'lead' && !input.customer) throw new Error('a lead needs a customer');
  const customerId = input.customer ? await upsertCustomer(trx, origin, input.customer, applied) : null;
  const sale =
    input.type === 'refund' && input.refundsExternalId
      ? await findSale(trx, origin, input.refundsExternalId)
      : undefined;
  const inserted = await trx
    .insertInto('conversions')
    .values({
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
      sale_conversion_id: sale?.id ?? null,
      external_event_id: origin.externalEventId,
      click_id: input.clickId ?? null,
      link_key: input.linkKey ?? null,
      inbox_id: origin.inboxId,
      metadata: JSON.stringify(input.metadata ?? {}),
      is_test: origin.isTest,
    })
    .onConflict((oc) => {
      const target =
        input.type === 'lead'
          ? oc.columns(['workspace_id', 'customer_id', 'event_name']).where('type', '=', 'lead')
          : oc.columns(['workspace_id', 'provider', 'type', 'external_id']).where('type', 'in', ['sale', 'refund']);
      // A second report of the same conversion (checkout and invoice, retries) only fills blanks, so the
      // end state does not depend on which arrived first.
      return target.doUpdateSet({
        quantity: sql`coalesce(conversions.quantity, excluded.quantity)`,
        click_id: sql`coalesce(conversions.click_id, excluded.click_id)`,
        link_key: sql`coalesce(conversions.link_key, excluded.link_key)`,
        customer_id: sql`coalesce(conversions.customer_id, excluded.customer_id)`,
      });
    })
    .returning(['id', sql<boolean>`(xmax = 0)`.as('created')])
    .executeTakeFirstOrThrow();
  if (!inserted.created) return;
  applied.conversionIds.push(inserted.id);
  if (input.type === 'sale') {
    await trx
      .updateTable('conversions')
      .set({ sale_conversion_id: inserted.id })
      .where('workspace_id', '=', origin.workspaceId)
      .where('provider', '=', origin.provider)
      .where('type', '=', 'refund')
      .where('refunds_external_id', '=', input.externalId)
      .execute();
  }
  const event = await emitWorkspaceEvent(trx, {
    workspaceId: origin.workspaceId,
    type: `${input.type}.created`,
    integrationId: origin.integrationId,
    isTest: origin.isTest,
    data: {
      conversion: {
        id: inserted.id,
        type: input.type,
        eventName: input.eventName,
        amountMinor: input.amountMinor ?? null,
        currency: input.currency?.toUpperCase() ?? null,
        quantity: input.quantity ?? null,
        occurredAt: input.occurredAt,
        externalId: input.externalId,
        saleConversionId: sale?.id ?? null,
        clickId: input.clickId ?? null,
        linkKey: input.linkKey ?? null,
        provider: origin.provider,
        integrationId: origin.integrationId,
      },
      customer: input.customer ? { id: customerId, ...input.customer } : null,
    },
  });
  applied.eventIds.push(event.id);
}

function findSale(trx: Trx, origin: Origin, externalId: string) {
  return trx
    .selectFrom('conversions')
    .select('id')
    .where('workspace_id', '=', origin.workspaceId)
    .where('provider', '=', origin.provider)
    .where('type', '=', 'sale')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}
