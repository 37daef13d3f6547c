import { type Harness, startHarness } from '../support/harness';
import { newSigningSecret, outboundHelpers, saleEvent } from '../support/outbound';

/** A public address as an IP literal: accepted without DNS (there is no network here). */
const PUBLIC_URL = 'https://93.184.215.14/hook';

describe('SSRF guard without ALLOW_PRIVATE_DESTINATIONS', () => {
  let h: Harness;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;

  beforeAll(async () => {
    h = await startHarness({ ALLOW_PRIVATE_DESTINATIONS: 'false' });
    out = outboundHelpers(h, () => key);
  });
  beforeEach(async () => {
    key = (await h.newWorkspace()).key;
  });
  afterAll(() => out.stop());

  it('refuses private, loopback and link-local destinations at subscribe, install and PATCH, naming the field', async () => {
    const refused: Array<[string, RegExp]> = [
      ['http://93.184.215.14/hook', /https:\/\//],
      ['https://127.0.0.1:8443/hook', /127\.0\.0\.1 is a private, loopback or link-local address/],
      ['https://localhost/hook', /localhost resolves to .*(127\.0\.0\.1|::1)/],
      ['https://169.254.169.254/latest/meta-data', /link-local/],
      ['https://[::1]/hook', /::1 is a private/],
      ['https://[::ffff:10.0.0.1]/hook', /private/],
      ['https://100.64.1.1/hook', /private/],
    ];
    for (const [url, message] of refused) {
      const hook = await out.api('POST', '/v1/hooks', { target_url: url, event: 'sale.created' });
      expect([url, hook.status, hook.body.error.issues]).toEqual([url, 400, [{ path: 'target_url', message: expect.stringMatching(message) }]]);
    }
    const install = await out.api('POST', '/v1/integrations', { provider: 'webhook', settings: { targetUrl: 'https://192.168.1.20/hook' } });
    expect(install.status).toBe(400);
    expect(install.body.error.issues).toEqual([{ path: 'settings.targetUrl', message: expect.stringMatching(/192\.168\.1\.20 is a private/) }]);

    const { id } = await out.installWebhook(PUBLIC_URL, newSigningSecret(), []);
    const patch = await out.api('PATCH', `/v1/integrations/${id}`, { settings: { targetUrl: 'https://172.16.0.5/hook' } });
    expect(patch.status).toBe(400);
    expect(patch.body.error.issues[0].path).toBe('settings.targetUrl');
    expect((await out.api('GET', `/v1/integrations/${id}`)).body.settings.targetUrl).toBe(PUBLIC_URL);
    expect((await out.api('POST', '/v1/hooks', { target_url: PUBLIC_URL, event: 'sale.created' })).status).toBe(201);

    // The transition is judged first: a disconnected integration's settings cannot change, whatever the URL.
    await out.api('POST', `/v1/integrations/${id}/disconnect`, {}, 200);
    await out.api('PATCH', `/v1/integrations/${id}`, { settings: { targetUrl: 'https://172.16.0.5/hook' } }, 409);
  });

  it('refuses a stored destination that resolves to loopback again at delivery time, sending nothing', async () => {
    const target = await out.receiver();
    const { id } = await out.installWebhook(PUBLIC_URL, target.secret);
    // As if its DNS had changed since it was checked: the name now leads to this machine.
    const settings = { targetUrl: `https://localhost:${new URL(target.url).port}/hook`, triggerEvents: ['sale.created'] };
    await h.db.updateTable('integrations').set({ settings: JSON.stringify(settings) }).where('id', '=', id).execute();
    const event = await out.emit(saleEvent());
    const failed = await out.deliveryOf(id, event.id, (d) => d.status === 'failed');
    expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: null, lastError: expect.stringMatching(/^destination refused: localhost resolves to/) });
    expect(target.requests).toHaveLength(0);
  });
});
