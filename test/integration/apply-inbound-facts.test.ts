import { createDb, type Db } from '../../db';
import { applyInboundFacts } from '../../db/queries/conversions';
import type { InboundFacts, Origin } from '../../db/queries/inbound-facts';
import { createWorkspace } from '../../db/queries/workspaces';
import type { ConversionInput } from '../../providers/types';

const at = '2026-11-01T10:00:00.000Z';
const sale = (externalId: string, extra: Partial<ConversionInput> = {}): ConversionInput => ({ type: 'sale', eventName: 'Purchase', externalId, amountMinor: 1000, currency: 'usd', occurredAt: at, ...extra });

/**
 * A drain batch mixing everything that interacts inside one batch: a customer named twice (blank filled
 * by the later one), a sale reported twice (the repeat fills blanks), a refund arriving before its sale,
 * a lead repeated. Each event's facts, in arrival order.
 */
function mixedBatch(workspaceId: string): InboundFacts[] {
  const origin = (inboxId: number): Origin => ({ workspaceId, integrationId: 'int_batch', provider: 'stripe', inboxId, externalEventId: `evt_${inboxId}`, isTest: false });
  return [
    { origin: origin(1), effects: [{ kind: 'customer', customer: { externalId: 'cus_1' } }, { kind: 'conversion', conversion: sale('in_1', { customer: { externalId: 'cus_1' } }) }] },
    { origin: origin(2), effects: [{ kind: 'customer', customer: { externalId: 'cus_1', email: 'ada@example.com' } }] },
    { origin: origin(3), effects: [{ kind: 'conversion', conversion: sale('in_1', { clickId: 'clk_1', amountMinor: 5 }) }] },
    { origin: origin(4), effects: [{ kind: 'conversion', conversion: { type: 'refund', eventName: 'Refund', externalId: 're_2', refundsExternalId: 'in_2', amountMinor: 300, currency: 'usd', occurredAt: at } }] },
    { origin: origin(5), effects: [{ kind: 'conversion', conversion: sale('in_2') }] },
    { origin: origin(6), effects: [{ kind: 'conversion', conversion: { type: 'lead', eventName: 'Sign up', externalId: 'cus_1', occurredAt: at, customer: { externalId: 'cus_1' } } }] },
    { origin: origin(7), effects: [{ kind: 'conversion', conversion: { type: 'lead', eventName: 'Sign up', externalId: 'cus_1', occurredAt: at, customer: { externalId: 'cus_1', name: 'Ada' } } }] },
  ];
}

/** What a workspace holds, without the generated ids: comparable across workspaces. */
async function contents(db: Db, workspaceId: string) {
  const customers = await db.selectFrom('customers').select(['id', 'external_id', 'email', 'name']).where('workspace_id', '=', workspaceId).orderBy('external_id').execute();
  const conversions = await db
    .selectFrom('conversions')
    .select(['id', 'type', 'external_id', 'amount_minor', 'click_id', 'customer_id', 'sale_conversion_id', 'inbox_id'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('type')
    .orderBy('external_id')
    .execute();
  const events = await db.selectFrom('events').select(['type', 'data']).where('workspace_id', '=', workspaceId).orderBy('type').execute();
  const externalOf = new Map([...customers, ...conversions].map((row) => [row.id, row.external_id]));
  return {
    customers: customers.map(({ id: _id, ...row }) => row),
    conversions: conversions.map(({ id: _id, customer_id, sale_conversion_id, ...row }) => ({ ...row, customer: externalOf.get(customer_id!) ?? null, sale: externalOf.get(sale_conversion_id!) ?? null })),
    events: events.map((event) => event.type),
    refundEventSale: events.find((event) => event.type === 'refund.created')?.data as { conversion: { saleConversionId: string | null } } | undefined,
  };
}

describe('applying a drain batch with set-based statements', () => {
  let db: Db;
  beforeAll(() => {
    db = createDb(process.env.DATABASE_URL!, 2);
  });
  afterAll(() => db.destroy());

  it('gives the end state of applying the events one by one, announcing each new row once', async () => {
    const together = (await createWorkspace(db, 'batch')).workspace.id;
    const oneByOne = (await createWorkspace(db, 'one by one')).workspace.id;
    const applied = await db.transaction().execute((trx) => applyInboundFacts(trx, mixedBatch(together)));
    for (const facts of mixedBatch(oneByOne)) await db.transaction().execute((trx) => applyInboundFacts(trx, [facts]));

    const batch = await contents(db, together);
    expect(batch).toEqual({ ...(await contents(db, oneByOne)), refundEventSale: expect.anything() });
    expect(batch.customers).toEqual([{ external_id: 'cus_1', email: 'ada@example.com', name: 'Ada' }]);
    expect(batch.conversions).toEqual([
      { type: 'lead', external_id: 'cus_1', amount_minor: null, click_id: null, inbox_id: 6, customer: 'cus_1', sale: null },
      { type: 'refund', external_id: 're_2', amount_minor: 300, click_id: null, inbox_id: 4, customer: null, sale: 'in_2' },
      { type: 'sale', external_id: 'in_1', amount_minor: 1000, click_id: 'clk_1', inbox_id: 1, customer: 'cus_1', sale: null },
      { type: 'sale', external_id: 'in_2', amount_minor: 1000, click_id: null, inbox_id: 5, customer: null, sale: null },
    ]);
    expect(batch.events).toEqual(['customer.created', 'lead.created', 'refund.created', 'sale.created', 'sale.created']);
    // In the batch the refund's sale is known when its event is written (one by one, it arrived first).
    const saleIn2 = await db.selectFrom('conversions').select('id').where('workspace_id', '=', together).where('external_id', '=', 'in_2').executeTakeFirstOrThrow();
    expect(batch.refundEventSale!.conversion.saleConversionId).toBe(saleIn2.id);

    // Per event: what it touched and announced; repeats announce nothing.
    expect(applied.map((a) => [a.customerIds.length, a.conversionIds.length, a.eventIds.length])).toEqual([
      [2, 1, 2],
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
      [1, 1, 1],
      [1, 0, 0],
    ]);
  });

  it('changes nothing and announces nothing when the same batch is applied again', async () => {
    const workspaceId = (await createWorkspace(db, 'again')).workspace.id;
    const first = await db.transaction().execute((trx) => applyInboundFacts(trx, mixedBatch(workspaceId)));
    const before = await contents(db, workspaceId);
    const second = await db.transaction().execute((trx) => applyInboundFacts(trx, mixedBatch(workspaceId)));
    expect(await contents(db, workspaceId)).toEqual(before);
    expect(second.flatMap((a) => [...a.conversionIds, ...a.eventIds])).toEqual([]);
    expect(second.map((a) => a.customerIds)).toEqual(first.map((a) => a.customerIds));
  });

  it('queues the events for dispatch only while the workspace has a destination that is not disconnected', async () => {
    const workspaceId = (await createWorkspace(db, 'queued')).workspace.id;
    const queued = async () => (await db.selectFrom('outbox').select('event_id').where('workspace_id', '=', workspaceId).execute()).map((row) => row.event_id);
    const apply = async (externalId: string) => {
      const [applied] = await db.transaction().execute((trx) => applyInboundFacts(trx, [{ ...mixedBatch(workspaceId)[4], effects: [{ kind: 'conversion', conversion: sale(externalId) }] }]));
      return applied.eventIds;
    };
    const destination = { id: `int_dest_${workspaceId}`, workspace_id: workspaceId, provider: 'webhook', settings: '{}', installed_by: 'test', state_changed_at: new Date(), state_changed_by: 'test', updated_at: new Date() };

    expect(await apply('in_alone')).toHaveLength(1);
    expect(await queued()).toEqual([]);
    await db.insertInto('integrations').values({ ...destination, state: 'disconnected' }).execute();
    await apply('in_after_disconnected');
    expect(await queued()).toEqual([]);
    // A paused destination still counts: what it misses meanwhile is held for its resume.
    await db.updateTable('integrations').set({ state: 'paused' }).where('id', '=', destination.id).execute();
    const announced = await apply('in_with_destination');
    expect(await queued()).toEqual(announced);
  });

  it('gives sales waiting for an amount the latest reported one, whatever the order, announcing each once', async () => {
    const origin = (workspaceId: string, inboxId: number): Origin => ({ workspaceId, integrationId: 'int_amounts', provider: 'hubspot', inboxId, externalEventId: `e_${inboxId}`, isTest: false });
    const pendingSale = (externalId: string): ConversionInput => ({ type: 'sale', eventName: 'Closed won', externalId, occurredAt: at, amountPending: { code: 'not_read', reason: 'not read' } });
    const report = (externalId: string, amountMinor: number, asOf: string, currency = 'KWD') => ({ kind: 'amount' as const, amount: { externalId, amountMinor, currency, asOf, source: 'amount change' } });
    const early = '2026-11-01T09:00:00.000Z';
    const late = '2026-11-01T11:00:00.000Z';
    // d1: the later report comes first; d2: its report comes before the sale; d3: no report at all.
    const events = (workspaceId: string): InboundFacts[] => [
      { origin: origin(workspaceId, 1), effects: [report('d1', 2500, late)] },
      { origin: origin(workspaceId, 2), effects: [{ kind: 'conversion', conversion: pendingSale('d1') }] },
      { origin: origin(workspaceId, 3), effects: [report('d1', 1000, early)] },
      { origin: origin(workspaceId, 4), effects: [report('d2', 7, early, 'JPY')] },
      { origin: origin(workspaceId, 5), effects: [{ kind: 'conversion', conversion: pendingSale('d2') }] },
      { origin: origin(workspaceId, 6), effects: [{ kind: 'conversion', conversion: pendingSale('d3') }] },
    ];
    const sales = async (workspaceId: string) =>
      (await db.selectFrom('conversions').select(['external_id', 'amount_minor', 'currency']).where('workspace_id', '=', workspaceId).orderBy('external_id').execute()).map((row) => [row.external_id, row.amount_minor === null ? null : Number(row.amount_minor), row.currency]);
    const announced = async (workspaceId: string) =>
      (await db.selectFrom('events').select(['type', 'data']).where('workspace_id', '=', workspaceId).execute()).map((row) => [row.type, (row.data as any).conversion.externalId, (row.data as any).conversion.amountMinor]).sort();

    const together = (await createWorkspace(db, 'amounts together')).workspace.id;
    const oneByOne = (await createWorkspace(db, 'amounts one by one')).workspace.id;
    const applied = await db.transaction().execute((trx) => applyInboundFacts(trx, events(together)));
    for (const facts of events(oneByOne)) await db.transaction().execute((trx) => applyInboundFacts(trx, [facts]));
    const expected = [['d1', 2500, 'KWD'], ['d2', 7, 'JPY'], ['d3', null, null]];
    expect(await sales(together)).toEqual(expected);
    expect(await sales(oneByOne)).toEqual(expected);
    expect(await announced(together)).toEqual([['sale.created', 'd1', 2500], ['sale.created', 'd2', 7]]);
    expect(await announced(oneByOne)).toEqual(await announced(together));
    // The sale.created of d1 is credited to the last event naming d1 (3), d2's to its sale (5); d3 announces nothing.
    expect(applied.map((entry) => entry.eventIds.length)).toEqual([0, 0, 1, 0, 1, 0]);

    // A later, different report updates the completed sale once, with the previous amount.
    const [update] = await db.transaction().execute((trx) => applyInboundFacts(trx, [{ origin: origin(together, 7), effects: [report('d1', 3000, '2026-11-01T12:00:00.000Z')] }]));
    expect(update.eventIds).toHaveLength(1);
    const updated = await db.selectFrom('events').select('data').where('id', '=', update.eventIds[0]).executeTakeFirstOrThrow();
    expect(updated.data).toMatchObject({ conversion: { externalId: 'd1', amountMinor: 3000, currency: 'KWD' }, previous: { amountMinor: 2500, currency: 'KWD' } });
    expect(await sales(together)).toEqual([['d1', 3000, 'KWD'], ['d2', 7, 'JPY'], ['d3', null, null]]);
  });

  it('fails the whole batch on a lead without a customer, writing nothing', async () => {
    const workspaceId = (await createWorkspace(db, 'poison')).workspace.id;
    const batch = mixedBatch(workspaceId);
    batch.push({ ...batch[0], effects: [{ kind: 'conversion', conversion: { type: 'lead', eventName: 'Sign up', externalId: 'x', occurredAt: at } }] });
    await expect(db.transaction().execute((trx) => applyInboundFacts(trx, batch))).rejects.toThrow('a lead needs a customer');
    expect(await contents(db, workspaceId)).toEqual({ customers: [], conversions: [], events: [], refundEventSale: undefined });
  });
});
