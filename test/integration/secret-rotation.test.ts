import { type Harness, startHarness } from '../support/harness';
import { standardWebhookHeaders, stripeHeaders } from '../support/signers';

describe('webhook secret rotation', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness();
    key = (await h.newWorkspace()).key;
  });
  afterAll(() => h.stop());

  const event = (id: string) => JSON.stringify({ type: 'Signed Up', customer: { id: `cus_${id}` } });

  it('issues a new secret once, keeps the old one verifying for the grace period, then refuses it', async () => {
    const installed = await h.api('POST', '/v1/integrations', { key, body: { provider: 'webhook' } });
    const id = installed.body.id as string;
    const original = installed.body.issuedSecret.secret as string;
    const send = (secret: string, msgId: string) => h.post(`/webhooks/webhook/${id}`, event(msgId), standardWebhookHeaders(event(msgId), secret, msgId));

    const rotated = await h.api('POST', `/v1/integrations/${id}/secrets/rotate`, { key, body: { gracePeriodSeconds: 3600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ field: 'signingSecret', secret: expect.stringMatching(/^whsec_/), previousSecretValidUntil: expect.any(String) });
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(original);
    expect((await h.api('GET', `/v1/integrations/${id}`, { key })).text).not.toContain(fresh);

    expect((await send(fresh, 'msg_new')).status).toBe(200);
    expect((await send(original, 'msg_old_in_grace')).status).toBe(200);

    // Rotating without a grace period stops the replaced secret at once; earlier grace periods run on.
    const immediate = await h.api('POST', `/v1/integrations/${id}/secrets/rotate`, { key, body: { gracePeriodSeconds: 0 } });
    expect(immediate.body.previousSecretValidUntil).toBeNull();
    expect((await send(fresh, 'msg_replaced_without_grace')).status).toBe(401);
    expect((await send(original, 'msg_old_still_in_grace')).status).toBe(200);
    expect((await send(immediate.body.secret, 'msg_newest')).status).toBe(200);
    const stored = await h.db.selectFrom('inbox').select('dedup_key').where('integration_id', '=', id).execute();
    expect(stored.map((row) => row.dedup_key).sort()).toEqual(['msg_new', 'msg_newest', 'msg_old_in_grace', 'msg_old_still_in_grace']);
  });

  it('takes a provider-issued secret from the caller and refuses to invent one', async () => {
    const installed = await h.api('POST', '/v1/integrations', { key, body: { provider: 'stripe', settings: { mode: 'test' }, secrets: { webhookSecret: 'whsec_stripe_old' } } });
    const id = installed.body.id as string;
    const missing = await h.api('POST', `/v1/integrations/${id}/secrets/rotate`, { key, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues[0].path).toBe('secret');
    const rotated = await h.api('POST', `/v1/integrations/${id}/secrets/rotate`, { key, body: { secret: 'whsec_stripe_new', gracePeriodSeconds: 0 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toBeUndefined();
    const payload = JSON.stringify({ id: 'evt_rot', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), livemode: false, data: { object: { id: 'cus_r', object: 'customer' } } });
    expect((await h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, 'whsec_stripe_new'))).status).toBe(200);
    expect((await h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, 'whsec_stripe_old'))).status).toBe(401);
    const other = await h.newWorkspace('Other');
    expect((await h.api('POST', `/v1/integrations/${id}/secrets/rotate`, { key: other.key, body: { secret: 'whsec_x_12345678' } })).status).toBe(404);
  });
});
