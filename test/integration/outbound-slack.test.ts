import { type FakeSlack, MISSING_CHANNEL, SLACK_BOT_TOKEN, startFakeSlack } from '../support/fakes/slack';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';
import { slackInstaller } from '../support/slack-install';

/** The install itself is test/integration/slack-install.test.ts. */
describe('Slack: Block Kit messages through @slack/web-api', () => {
  let h: Harness;
  let slackApi: FakeSlack;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;
  let installer: ReturnType<typeof slackInstaller>;
  const seen: string[] = [];
  const install = (query = '') => installer.install(query);
  const messages = () => slackApi.calls('chat.postMessage');
  const messageFor = (eventId: string) =>
    waitFor(() => messages().find((call) => call.args.blocks?.includes(eventId)), `a Slack message for ${eventId}`);

  beforeAll(async () => {
    slackApi = await startFakeSlack();
    h = await startHarness({ SLACK_API_URL: slackApi.apiUrl, SLACK_CLIENT_ID: 'client-123', SLACK_CLIENT_SECRET: 'client-secret-456' });
    out = outboundHelpers(h, () => key);
    installer = slackInstaller(h, () => key);
  });
  // A workspace per test: each test's Slack installs see only its own events.
  beforeEach(async () => {
    ({ key } = await h.newWorkspace());
  });
  afterAll(async () => {
    for (const text of [...seen, ...installer.pages]) expect(text).not.toContain(SLACK_BOT_TOKEN);
    await h.stop();
    await slackApi.close();
  });

  it('posts readable Block Kit messages with formatted amounts, routed by event and amount', async () => {
    const { id } = await install('?channel=C0SALES');
    const patched = await out.api('PATCH', `/v1/integrations/${id}`, {
      settings: { routes: [{ events: ['sale.created'], channel: 'C0BIGDEALS', minAmountMinor: 100000, currency: 'USD' }] },
    });
    expect(patched.status).toBe(200);

    const big = await out.emit(saleEvent({ amountMinor: 123450, email: 'big@example.com' }));
    const small = await out.emit(saleEvent({ amountMinor: 4999 }));
    const yen = await out.emit(saleEvent({ amountMinor: 5000, currency: 'JPY' }));
    const bigMessage = await messageFor(big.id);
    expect(bigMessage.authorization).toBe(`Bearer ${SLACK_BOT_TOKEN}`);
    expect(bigMessage.args).toMatchObject({ channel: 'C0BIGDEALS', text: ':moneybag: New sale $1,234.50' });
    const blocks = JSON.parse(bigMessage.args.blocks);
    expect(blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*:moneybag: New sale $1,234.50*' } });
    expect(blocks[1].fields.map((field: { text: string }) => field.text)).toEqual(
      expect.arrayContaining(['*Customer*\nAda Buyer (<mailto:big@example.com|big@example.com>)', '*Amount*\n$1,234.50', '*Link*\nspring-promo']),
    );
    expect((await messageFor(small.id)).args).toMatchObject({ channel: 'C0SALES', text: ':moneybag: New sale $49.99' });
    expect((await messageFor(yen.id)).args).toMatchObject({ channel: 'C0SALES', text: ':moneybag: New sale ¥5,000' });
    await out.deliveryOf(id, yen.id, (d) => d.status === 'succeeded');

    await out.api('PATCH', `/v1/integrations/${id}`, { settings: { channel: 'C0NEWHOME' } });
    const moved = await out.emit(saleEvent({ amountMinor: 100 }));
    expect((await messageFor(moved.id)).args.channel).toBe('C0NEWHOME');
  });

  it("records Slack's ok:false answers as failed, without retrying a permanent error", async () => {
    const { id } = await install(`?channel=${MISSING_CHANNEL}`);
    const event = await out.emit(saleEvent());
    const failed = await out.deliveryOf(id, event.id, (d) => d.status === 'failed');
    expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: 200, lastError: 'Slack error: channel_not_found' });
    const log = await out.api('GET', `/v1/deliveries/${failed.id}`, undefined, 200);
    expect(log.body.attempts[0].requestHeaders.authorization).not.toContain('xoxb');
    expect(JSON.parse(log.body.attempts[0].responseBody)).toMatchObject({ ok: false, error: 'channel_not_found' });
    seen.push(log.text);
  });
});
