import { createDb, type Db } from '../../db';
import { applyInboundFacts } from '../../db/queries/conversions';
import type { InboundFacts } from '../../db/queries/inbound-facts';
import { createWorkspace } from '../../db/queries/workspaces';
import type { ConversionInput, Effect } from '../../providers/types';

const at = '2026-11-02T10:00:00.000Z';
type Fact = Exclude<Effect, { kind: 'lifecycle' }>;

/** A refund reported with its own id, or as an amount step of payment `ch_p` (how Stripe reports one refund two ways). */
const withId = (id: string, amountMinor: number): Fact => ({ kind: 'conversion', conversion: refund(id, amountMinor, { payment: 'ch_p' }) });
const step = (before: number, after: number): Fact => {
  const id = `ch_p/refunded/${before}-${after}`;
  return { kind: 'conversion', conversion: { ...refund(id, after - before, { payment: 'ch_p', step: id }), customer: { externalId: 'cus_p' } } };
};
function refund(externalId: string, amountMinor: number, refundOf: ConversionInput['refundOf']): ConversionInput {
  return { type: 'refund', eventName: 'Refund', externalId, refundsExternalId: 'pi_p', refundOf, amountMinor, currency: 'USD', occurredAt: at };
}

/**
 * Three refunds of one charge (two of the same amount), each reported both ways, one step and one id report
 * repeated; the invoice's sale, and the alias saying the refunds' payment intent paid it.
 */
const REPORTS: Fact[][] = [
  [withId('re_1', 100)],
  [withId('re_2', 250)],
  [withId('re_3', 100)],
  [step(0, 100)],
  [step(100, 350)],
  [step(350, 450)],
  [step(100, 350)],
  [withId('re_1', 100)],
  [{ kind: 'conversion', conversion: { type: 'sale', eventName: 'Purchase', externalId: 'in_p', amountMinor: 450, currency: 'USD', occurredAt: at } }],
  [{ kind: 'saleAlias', saleExternalId: 'in_p', alias: 'pi_p' }],
];

/** Deterministic draws (mulberry32), so a failing order can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(count: number, next: () => number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let i = count - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

describe('refund reports of one refund in two shapes, and sales known by an alias', () => {
  let db: Db;
  beforeAll(() => {
    db = createDb(process.env.DATABASE_URL!, 2);
  });
  afterAll(() => db.destroy());

  /** Applies the reports in `order`, cut into drain batches at `cuts` (each its own transaction), in a fresh workspace. */
  async function applyInOrder(order: number[], cuts: Set<number>) {
    const workspaceId = (await createWorkspace(db, 'refund reports')).workspace.id;
    const facts = order.map((index, position): InboundFacts => ({
      origin: { workspaceId, integrationId: 'int_refunds', provider: 'stripe', inboxId: position + 1, externalEventId: `evt_${index}`, isTest: false },
      effects: REPORTS[index],
    }));
    let batch: InboundFacts[] = [];
    for (const [position, fact] of facts.entries()) {
      batch.push(fact);
      if (cuts.has(position) || position === facts.length - 1) {
        const applying = batch;
        await db.transaction().execute((trx) => applyInboundFacts(trx, applying));
        batch = [];
      }
    }
    const rows = await db
      .selectFrom('conversions')
      .select(['id', 'type', 'external_id', 'amount_minor', 'refund_step', 'refunds_external_id', 'sale_conversion_id', 'customer_id'])
      .where('workspace_id', '=', workspaceId)
      .execute();
    const sale = rows.find((row) => row.type === 'sale');
    const refunds = rows
      .filter((row) => row.type === 'refund')
      .map((row) => ({ id: row.external_id, amount: Number(row.amount_minor), step: row.refund_step, sale: row.sale_conversion_id !== null && row.sale_conversion_id === sale?.id ? row.refunds_external_id : null, customer: row.customer_id !== null }))
      .sort((a, b) => a.id.localeCompare(b.id));
    const announced = await db.selectFrom('events').select('type').where('workspace_id', '=', workspaceId).where('type', '=', 'refund.created').execute();
    return { refunds, announced: announced.length };
  }

  it('ends with one row per refund under its id, linked to the sale, in any order and any cut into batches', async () => {
    const next = random(20261102);
    const runs = [
      { order: REPORTS.map((_, index) => index), cuts: new Set<number>() },
      { order: REPORTS.map((_, index) => index).reverse(), cuts: new Set(REPORTS.map((_, index) => index)) },
    ];
    for (let run = 0; run < 10; run += 1) {
      const order = shuffled(REPORTS.length, next);
      runs.push({ order, cuts: new Set(order.map((_, position) => position).filter(() => next() < 0.4)) });
    }
    for (const { order, cuts } of runs) {
      const { refunds, announced } = await applyInOrder(order, cuts);
      const context = `order ${order.join(',')} cut after ${[...cuts].join(',')}`;
      expect({ context, refunds: refunds.map(({ step: _step, ...row }) => row) }).toEqual({
        context,
        refunds: [
          { id: 're_1', amount: 100, sale: 'in_p', customer: true },
          { id: 're_2', amount: 250, sale: 'in_p', customer: true },
          { id: 're_3', amount: 100, sale: 'in_p', customer: true },
        ],
      });
      // Each row stands for one step; the two 100s may pair either way.
      expect(refunds.map((row) => row.step).sort()).toEqual(['ch_p/refunded/0-100', 'ch_p/refunded/100-350', 'ch_p/refunded/350-450']);
      expect(refunds.find((row) => row.id === 're_2')!.step).toBe('ch_p/refunded/100-350');
      expect(announced).toBe(3);
    }
  });

  it('keeps reports of only one shape apart: every id report, or every step, is a refund of its own', async () => {
    const ids = await applyInOrder([0, 1, 2, 7], new Set([1]));
    expect(ids.refunds.map((row) => [row.id, row.amount, row.step])).toEqual([['re_1', 100, null], ['re_2', 250, null], ['re_3', 100, null]]);
    const steps = await applyInOrder([5, 3, 4, 6], new Set([0]));
    expect(steps.refunds.map((row) => [row.id, row.amount])).toEqual([['ch_p/refunded/0-100', 100], ['ch_p/refunded/100-350', 250], ['ch_p/refunded/350-450', 100]]);
    expect(steps.announced).toBe(3);
  });
});
