import { CUT_MARKER, MAX_JSON_DEPTH } from '../../lib/storable';
import { type FakeSlack, SLACK_BOT_TOKEN, startFakeSlack } from '../support/fakes/slack';
import { genericEvent, newWebhookSecret } from '../support/generic-webhook';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { outboundHelpers, saleEvent } from '../support/outbound';
import { standardWebhookHeaders, stripeHeaders } from '../support/signers';

const STRIPE_SECRET = 'whsec_hostile_webhooks_secret';
const now = () => Math.floor(Date.now() / 1000);

/**
 * A provider retries a 5xx for days, so a signed, well-formed webhook is never refused for its content:
 * what PostgreSQL cannot hold is stored in a form it can (README, "What providers are told"). Likewise
 * what a destination answers never stops its deliveries from being recorded.
 */
describe('content PostgreSQL cannot store as is', () => {
  let h: Harness;
  let slack: FakeSlack;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  let stripeId: string;
  beforeAll(async () => {
    slack = await startFakeSlack();
    h = await startHarness({ CREDENTIAL_CHECK_INTERVAL_MS: '0', SLACK_API_URL: slack.apiUrl });
    ({ key } = await h.newWorkspace());
    io = inboundHelpers(h, () => key);
    stripeId = (await io.install('stripe', { mode: 'test' }, { webhookSecret: STRIPE_SECRET })).id;
  });
  afterAll(async () => {
    await h.stop();
    await slack.close();
  });

  let sessions = 0;
  /** A Checkout Session completed (Stripe's shape, JSON written by hand so any escape can be in it); `previous` is `data.previous_attributes`. */
  const checkout = (eventId: string, fields: { name?: string; previous?: string } = {}) => {
    sessions += 1;
    return (
      `{"id":${eventId},"object":"event","type":"checkout.session.completed","created":${now()},"livemode":false,"data":{"object":{` +
      `"id":"cs_hostile_${sessions}","object":"checkout.session","mode":"payment","payment_status":"paid","amount_total":4200,"currency":"usd",` +
      `"customer":"cus_hostile","customer_details":{"email":"ada@example.com","name":${fields.name ?? '"Ada"'}},"invoice":null,"metadata":{}}` +
      `${fields.previous ? `,"previous_attributes":${fields.previous}` : ''}}}`
    );
  };
  const sendStripe = (body: string) => h.post(`/webhooks/stripe/${stripeId}`, body, stripeHeaders(body, STRIPE_SECRET));
  const rowOf = (dedupKey: string) =>
    waitFor(async () => (await io.inbox(stripeId)).find((row) => row.dedup_key === dedupKey && row.status !== 'pending'), `the inbox row ${dedupKey}`);

  it('stores U+0000 and lone surrogates in strings as U+FFFD, and processes the event', async () => {
    const response = await sendStripe(checkout('"evt_nul_name"', { name: '"Ada\\u0000 \\ud800Lovelace\\udc00"' }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: 1, accepted: 1 });
    const row = await rowOf('evt_nul_name');
    expect(row.status).toBe('processed');
    expect((row.payload as any).data.object.customer_details.name).toBe('Ada\ufffd \ufffdLovelace\ufffd');
    const customer = await h.db.selectFrom('customers').select('name').where('id', '=', row.result!.customerIds[0]).executeTakeFirstOrThrow();
    expect(customer.name).toBe('Ada\ufffd \ufffdLovelace\ufffd');
  });

  it('keys an event id PostgreSQL cannot index as is by its hash: stored once, its redelivery a duplicate, distinct ids kept apart', async () => {
    const ids = ['"evt_\\u0000"', '"evt_\\ud800"', '"evt_\\udbff"', JSON.stringify(`evt_${'x'.repeat(10_000)}`)];
    for (const id of ids) {
      expect((await sendStripe(checkout(id))).body).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await sendStripe(checkout(id))).body).toMatchObject({ accepted: 0, duplicates: 1 });
    }
    const hashed = await waitFor(async () => {
      const rows = (await io.inbox(stripeId)).filter((row) => row.dedup_key.startsWith('sha256:'));
      return rows.length === ids.length && rows.every((row) => row.status !== 'pending') && rows;
    }, 'four hashed inbox rows');
    expect(new Set(hashed.map((row) => row.dedup_key)).size).toBe(ids.length);
    expect(hashed.every((row) => /^sha256:[0-9a-f]{64}$/.test(row.dedup_key) && row.duplicate_count === 1)).toBe(true);
    // The event id as sent stays readable in the stored payload.
    expect(hashed.map((row) => (row.payload as any).id)).toEqual(expect.arrayContaining(['evt_\ufffd', `evt_${'x'.repeat(10_000)}`]));
  });

  it(`cuts a body nested 10,000 levels deep at ${MAX_JSON_DEPTH} levels, marked, and still records the sale`, async () => {
    const depth = 10_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect((await sendStripe(checkout('"evt_deep"', { previous: `{"note":"kept","nested":${deep}}` }))).status).toBe(200);
    const row = await rowOf('evt_deep');
    expect(row.status).toBe('processed');
    const previous = (row.payload as any).data.previous_attributes;
    expect(previous.note).toBe('kept');
    let node = previous.nested;
    let levels = 3; // event → data → previous_attributes → nested
    while (typeof node === 'object') {
      node = node.a;
      levels += 1;
    }
    expect(node).toBe(CUT_MARKER);
    expect(levels).toBe(MAX_JSON_DEPTH);
    const sale = await h.db.selectFrom('conversions').select(['amount_minor', 'currency']).where('id', '=', row.result!.conversionIds[0]).executeTakeFirstOrThrow();
    expect([Number(sale.amount_minor), sale.currency]).toEqual([4200, 'USD']);
  });

  it('stores a generic webhook with U+0000 in its customer id and a webhook-id too long to index', async () => {
    const secret = newWebhookSecret();
    const { id } = await io.install('webhook', {}, { signingSecret: secret });
    const webhookId = `msg_${'y'.repeat(8000)}`;
    const body = JSON.stringify({ ...genericEvent(), customer: { id: 'user\u0000one', email: 'one@example.com' } });
    const response = await h.post(`/webhooks/webhook/${id}`, body, standardWebhookHeaders(body, secret, webhookId));
    expect(response.status).toBe(200);
    const [row] = await io.settled(id, 1);
    expect(row).toMatchObject({ status: 'processed', dedup_key: expect.stringMatching(/^sha256:/) });
    expect(await io.customers(id)).toEqual([expect.objectContaining({ external_id: 'user\ufffdone' })]);
    const again = await h.post(`/webhooks/webhook/${id}`, body, standardWebhookHeaders(body, secret, webhookId));
    expect(again.body).toMatchObject({ duplicates: 1 });
  });

  it('records a delivery whose destination answered U+0000 (a Slack error code) as failed, with the text stored', async () => {
    const out = outboundHelpers(h, () => key);
    const slackAnswers = slack.respond;
    slack.respond = (request) => (request.path.endsWith('/chat.postMessage') ? { status: 200, body: { ok: false, error: 'channel\u0000gone' } } : slackAnswers(request));
    const { id } = await out.install('slack', { channel: 'C0HOSTILE' }, { botToken: SLACK_BOT_TOKEN });
    const event = await out.emit(saleEvent());
    const failed = await out.deliveryOf(id, event.id, (delivery) => delivery.status === 'failed');
    expect(failed).toMatchObject({ attemptCount: 1, lastError: 'Slack error: channel\ufffdgone', reason: 'Slack error: channel\ufffdgone' });
  });
});
