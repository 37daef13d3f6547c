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
      // IPv6 forms that carry a private IPv4 address lead to it: judged by that address.
      ['https://[::127.0.0.1]/hook', /::7f00:1 is the IPv4-compatible form of 127\.0\.0\.1/],
      ['https://[::ffff:0:127.0.0.1]/hook', /SIIT \(IPv4-translated\) form of 127\.0\.0\.1/],
      ['https://[2002:7f00:1::]/hook', /6to4 form of 127\.0\.0\.1/],
      ['https://[64:ff9b::169.254.169.254]/hook', /NAT64 form of 169\.254\.169\.254/],
      ['https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook', /Teredo client form of 10\.0\.0\.1/],
    ];
    for (const [url, message] of refused) {
      const hook = await out.api('POST', '/v1/hooks', { target_url: url, event: 'sale.created' });
      expect([url, hook.status, hook.body.error.issues]).toEqual([url, 400, [{ path: 'target_url', message: expect.stringMatching(message) }]]);
    }
    const install = await out.api('POST', '/v1/integrations', { provider: 'webhook', settings: { targetUrl: 'https://192.168.1.20/hook' } });
    expect(install.status).toBe(400);
    expect(install.body.error.issues).toEqual([{ path: 'settings.targetUrl', message: expect.stringMatching(/192\.168\.1\.20 is a private/) }]);

    const { id } = await out.installWebhook(PUBLIC_URL, newSigningSecret(), []);
    for (const targetUrl of ['https://172.16.0.5/hook', 'https://[2002:a9fe:a9fe::]/latest/meta-data']) {
      const patch = await out.api('PATCH', `/v1/integrations/${id}`, { settings: { targetUrl } });
      expect([targetUrl, patch.status, patch.body.error.issues[0].path]).toEqual([targetUrl, 400, 'settings.targetUrl']);
    }
    expect((await out.api('GET', `/v1/integrations/${id}`)).body.settings.targetUrl).toBe(PUBLIC_URL);
    expect((await out.api('POST', '/v1/hooks', { target_url: PUBLIC_URL, event: 'sale.created' })).status).toBe(201);
    // The same forms of a public address are public.
    expect((await out.api('POST', '/v1/hooks', { target_url: 'https://[2002:808:808::]/hook', event: 'sale.created' })).status).toBe(201);

    // The transition is judged first: a disconnected integration's settings cannot change, whatever the URL.
    await out.api('POST', `/v1/integrations/${id}/disconnect`, {}, 200);
    await out.api('PATCH', `/v1/integrations/${id}`, { settings: { targetUrl: 'https://172.16.0.5/hook' } }, 409);
  });

  it('refuses a stored destination that leads to loopback again at delivery time, sending nothing', async () => {
    const target = await out.receiver();
    const port = new URL(target.url).port;
    const stored: Array<[string, RegExp]> = [
      // As if its DNS had changed since it was checked: the name now leads to this machine.
      [`https://localhost:${port}/hook`, /^destination refused: localhost resolves to/],
      // A row written before the guard knew this form.
      [`https://[::ffff:0:127.0.0.1]:${port}/hook`, /^destination refused: ::ffff:0:7f00:1 is the SIIT \(IPv4-translated\) form of 127\.0\.0\.1/],
    ];
    const ids: string[] = [];
    for (const [targetUrl] of stored) {
      const { id } = await out.installWebhook(PUBLIC_URL, target.secret);
      await h.db.updateTable('integrations').set({ settings: JSON.stringify({ targetUrl, triggerEvents: ['sale.created'] }) }).where('id', '=', id).execute();
      ids.push(id);
    }
    const event = await out.emit(saleEvent());
    for (const [index, [, error]] of stored.entries()) {
      const failed = await out.deliveryOf(ids[index], event.id, (d) => d.status === 'failed');
      expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: null, lastError: expect.stringMatching(error) });
    }
    expect(target.requests).toHaveLength(0);
  });
});
