import { type Harness, startHarness } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { stripeHeaders } from '../support/signers';
import { API, type ApiVersion, charge, checkoutSession, invoice, invoicePayment, refund, stripeEvent } from '../support/stripe-objects';

/**
 * Stripe refunds through the webhook route, signed by the `stripe` library: partial refunds arriving out of
 * order and redelivered, a full refund after partials, Refund events as well as `charge.refunded`, refunds
 * before and after their sale, on API versions that list a charge's refunds and name its invoice and on
 * 2025-03-31+ (neither: an invoice's payments link them). Each phase is drained before the next is sent, so
 * later reports meet the earlier ones stored.
 */
describe('inbound: Stripe refunds are each recorded once and linked to their sale', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  beforeAll(async () => {
    h = await startHarness();
    key = (await h.newWorkspace()).key;
    io = inboundHelpers(h, () => key);
  });
  afterAll(() => h.stop());

  /** A Stripe integration; `phase` sends signed events (repeats included, as Stripe redelivers) and waits until all are drained. */
  async function stripeIntegration(name: string) {
    const secret = `whsec_${name}_refunds`;
    const { id } = await io.install('stripe', {}, { webhookSecret: secret });
    const sent = new Set<string>();
    const phase = async (...events: Array<{ id: string }>) => {
      for (const event of events) {
        const payload = JSON.stringify(event);
        const response = await h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, secret));
        expect(response.status).toBe(200);
        sent.add(event.id);
      }
      return io.settled(id, sent.size);
    };
    const rows = async () => {
      const conversions = await io.conversions(id);
      const sale = conversions.find((c) => c.type === 'sale');
      const refunds = conversions
        .filter((c) => c.type === 'refund')
        .map((c) => ({ externalId: c.external_id, amountMinor: Number(c.amount_minor), currency: c.currency, linked: c.sale_conversion_id !== null && c.sale_conversion_id === sale?.id }))
        .sort((a, b) => a.externalId.localeCompare(b.externalId));
      return { sale, refunds, refundedMinor: refunds.reduce((sum, r) => sum + r.amountMinor, 0) };
    };
    const announced = async (type: string) => (await h.db.selectFrom('events').select('id').where('integration_id', '=', id).where('type', '=', type).execute()).length;
    return { id, phase, rows, announced };
  }

  const refunded = (api: ApiVersion, eventId: string, base: Parameters<typeof charge>[1], before: number) =>
    stripeEvent(api, eventId, 'charge.refunded', charge(api, base), { amount_refunded: before, refunded: false });

  it('2025-03-31+, charge.refunded only: partials out of order and redelivered, then the full refund; linked once invoice_payment.paid names the intent', async () => {
    const stripe = await stripeIntegration('basil_usd');
    const base = { id: 'ch_basil_usd', amount: 5400, currency: 'usd', customer: 'cus_basil_usd', paymentIntent: 'pi_basil_usd' };
    const second = refunded(API.basil, 'evt_basil_usd_r2', { ...base, amountRefunded: 4000 }, 1000);
    const first = refunded(API.basil, 'evt_basil_usd_r1', { ...base, amountRefunded: 1000 }, 0);
    await stripe.phase(second, first, second);
    const paid = invoice(API.basil, { id: 'in_basil_usd', currency: 'usd', customer: 'cus_basil_usd', amountPaid: 5400, tax: 400, subscription: 'sub_basil_usd' });
    await stripe.phase(stripeEvent(API.basil, 'evt_basil_usd_invoice', 'invoice.paid', paid), first);
    // Not linked yet: a 2025-03-31+ charge does not name its invoice.
    expect((await stripe.rows()).refunds.map((r) => r.linked)).toEqual([false, false]);
    await stripe.phase(stripeEvent(API.basil, 'evt_basil_usd_inpay', 'invoice_payment.paid', invoicePayment({ invoice: 'in_basil_usd', amount: 5400, currency: 'usd', paymentIntent: 'pi_basil_usd' })));
    const inbox = await stripe.phase(refunded(API.basil, 'evt_basil_usd_r3', { ...base, amountRefunded: 5400 }, 4000));

    const { sale, refunds, refundedMinor } = await stripe.rows();
    expect([sale!.external_id, Number(sale!.amount_minor), sale!.currency]).toEqual(['in_basil_usd', 5000, 'USD']);
    expect(refunds).toEqual([
      { externalId: 'ch_basil_usd/refunded/0-1000', amountMinor: 1000, currency: 'USD', linked: true },
      { externalId: 'ch_basil_usd/refunded/1000-4000', amountMinor: 3000, currency: 'USD', linked: true },
      { externalId: 'ch_basil_usd/refunded/4000-5400', amountMinor: 1400, currency: 'USD', linked: true },
    ]);
    expect(refundedMinor).toBe(5400);
    expect(await stripe.announced('refund.created')).toBe(3);
    expect(inbox.filter((row) => row.duplicate_count > 0).map((row) => row.dedup_key).sort()).toEqual(['evt_basil_usd_r1', 'evt_basil_usd_r2']);
  });

  it('2025-03-31+, charge.refunded and refund.* both subscribed: JPY partials and a full refund, before and after a Checkout sale, each once under its re_ id', async () => {
    const stripe = await stripeIntegration('basil_jpy');
    const base = { id: 'ch_basil_jpy', amount: 13200, currency: 'jpy', customer: 'cus_basil_jpy', paymentIntent: 'pi_basil_jpy' };
    const re = (id: string, amount: number, status: 'pending' | 'succeeded' = 'succeeded') => refund({ id, amount, charge: base.id, currency: 'jpy', paymentIntent: base.paymentIntent, status });
    const stepA = refunded(API.basil, 'evt_jpy_ch_a', { ...base, amountRefunded: 3000 }, 0);
    await stripe.phase(
      stripeEvent(API.basil, 'evt_jpy_re_b_created', 'refund.created', re('re_jpy_b', 4000, 'pending')),
      refunded(API.basil, 'evt_jpy_ch_b', { ...base, amountRefunded: 7000 }, 3000),
      stepA,
    );
    const session = checkoutSession({
      id: 'cs_basil_jpy', mode: 'payment', amountTotal: 13200, tax: 1200, currency: 'jpy', customer: 'cus_basil_jpy', paymentIntent: 'pi_basil_jpy',
      clientReferenceId: 'dub_id_clk_jpy', metadata: { link_key: 'spring' },
    });
    await stripe.phase(
      stripeEvent(API.basil, 'evt_jpy_checkout', 'checkout.session.completed', session),
      stripeEvent(API.basil, 'evt_jpy_re_b_updated', 'refund.updated', re('re_jpy_b', 4000), { status: 'pending' }),
      stripeEvent(API.basil, 'evt_jpy_re_a_created', 'refund.created', re('re_jpy_a', 3000)),
    );
    await stripe.phase(
      refunded(API.basil, 'evt_jpy_ch_c', { ...base, amountRefunded: 13200 }, 7000),
      stripeEvent(API.basil, 'evt_jpy_re_c_created', 'refund.created', re('re_jpy_c', 6200)),
      stripeEvent(API.basil, 'evt_jpy_re_a_updated', 'refund.updated', re('re_jpy_a', 3000), { metadata: {} }),
      stepA,
    );

    const { sale, refunds, refundedMinor } = await stripe.rows();
    expect(sale).toMatchObject({ external_id: 'pi_basil_jpy', currency: 'JPY', click_id: 'clk_jpy', link_key: 'spring' });
    expect(Number(sale!.amount_minor)).toBe(12000);
    expect(refunds).toEqual([
      { externalId: 're_jpy_a', amountMinor: 3000, currency: 'JPY', linked: true },
      { externalId: 're_jpy_b', amountMinor: 4000, currency: 'JPY', linked: true },
      { externalId: 're_jpy_c', amountMinor: 6200, currency: 'JPY', linked: true },
    ]);
    expect(refundedMinor).toBe(13200);
    expect(await stripe.announced('refund.created')).toBe(3);
    const analytics = await h.api('GET', `/v1/analytics/conversions?interval=month&integrationId=${stripe.id}`, { key });
    expect(analytics.status).toBe(200);
    const revenue = analytics.body.buckets.flatMap((bucket: any) => bucket.revenue);
    expect(revenue).toEqual([expect.objectContaining({ currency: 'JPY', salesMinor: 12000, refundsMinor: 13200 })]);
  });

  it('before 2022-11-15 (charges list their refunds and name their invoice): KWD partials, the full refund first, Refund events too, linked to the invoice', async () => {
    const stripe = await stripeIntegration('listed_kwd');
    const api = API.listsRefunds;
    const base = { id: 'ch_listed_kwd', amount: 12340, currency: 'kwd', customer: 'cus_listed_kwd', paymentIntent: 'pi_listed_kwd', invoice: 'in_listed_kwd' };
    const re = (id: string, amount: number) => refund({ id, amount, charge: base.id, currency: 'kwd', paymentIntent: base.paymentIntent });
    const [a, b, c] = [re('re_kwd_a', 1250), re('re_kwd_b', 3000), re('re_kwd_c', 8090)];
    await stripe.phase(
      refunded(api, 'evt_kwd_ch_c', { ...base, amountRefunded: 12340, refunds: [c, b, a] }, 4250),
      stripeEvent(api, 'evt_kwd_re_b', 'refund.created', b),
    );
    const paid = invoice(api, { id: 'in_listed_kwd', currency: 'kwd', customer: 'cus_listed_kwd', amountPaid: 12340, tax: 340, subscription: 'sub_listed_kwd', paymentIntent: 'pi_listed_kwd', charge: base.id });
    await stripe.phase(stripeEvent(api, 'evt_kwd_invoice', 'invoice.paid', paid), refunded(api, 'evt_kwd_ch_a', { ...base, amountRefunded: 1250, refunds: [a] }, 0));
    await stripe.phase(refunded(api, 'evt_kwd_ch_b', { ...base, amountRefunded: 4250, refunds: [b, a] }, 1250), stripeEvent(api, 'evt_kwd_re_a', 'refund.created', a));

    const { sale, refunds, refundedMinor } = await stripe.rows();
    expect([sale!.external_id, Number(sale!.amount_minor), sale!.currency]).toEqual(['in_listed_kwd', 12000, 'KWD']);
    expect(refunds).toEqual([
      { externalId: 're_kwd_a', amountMinor: 1250, currency: 'KWD', linked: true },
      { externalId: 're_kwd_b', amountMinor: 3000, currency: 'KWD', linked: true },
      { externalId: 're_kwd_c', amountMinor: 8090, currency: 'KWD', linked: true },
    ]);
    expect(refundedMinor).toBe(12340);
    expect(await stripe.announced('refund.created')).toBe(3);
  });

  it('2025-03-31+: a refund before its invoice links through the payments the paid invoice lists; a failed refund records nothing', async () => {
    const stripe = await stripeIntegration('basil_eur');
    const re = refund({ id: 're_basil_eur', amount: 2500, charge: 'ch_basil_eur', currency: 'eur', paymentIntent: 'pi_basil_eur' });
    const failed = refund({ id: 're_basil_eur_failed', amount: 900, charge: 'ch_basil_eur', currency: 'eur', paymentIntent: 'pi_basil_eur', status: 'failed' });
    const inbox = await stripe.phase(stripeEvent(API.basil, 'evt_eur_re', 'refund.created', re), stripeEvent(API.basil, 'evt_eur_failed', 'refund.updated', failed));
    expect(inbox.find((row) => row.dedup_key === 'evt_eur_failed')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('failed') });
    const payments = [invoicePayment({ invoice: 'in_basil_eur', amount: 11900, currency: 'eur', paymentIntent: 'pi_basil_eur' })];
    const paid = invoice(API.basil, { id: 'in_basil_eur', currency: 'eur', customer: 'cus_basil_eur', amountPaid: 11900, tax: 1900, subscription: 'sub_basil_eur', payments });
    await stripe.phase(stripeEvent(API.basil, 'evt_eur_invoice', 'invoice.paid', paid));

    const { sale, refunds } = await stripe.rows();
    expect([sale!.external_id, Number(sale!.amount_minor), sale!.currency]).toEqual(['in_basil_eur', 10000, 'EUR']);
    expect(refunds).toEqual([{ externalId: 're_basil_eur', amountMinor: 2500, currency: 'EUR', linked: true }]);
  });
});
