import { sealState } from '../../api/oauth-state';
import { SLACK_STATE_PURPOSE, type SlackInstallState } from '../../providers/slack/routes';
import { type FakeSlack, MISSING_CHANNEL, SLACK_BOT_TOKEN, SLACK_CODE, startFakeSlack } from '../support/fakes/slack';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';

describe('Slack: OAuth install and Block Kit messages through @slack/web-api', () => {
  let h: Harness;
  let slackApi: FakeSlack;
  let workspaceId: string;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;
  const seen: string[] = [];

  /** Starts the install like a browser would (no redirect following) and returns the sealed state. */
  const startInstall = async (query = '') => {
    const response = await fetch(`${h.url}/v1/integrations/slack/install${query}`, { headers: { authorization: `Bearer ${key}` }, redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  };
  const callback = async (params: Record<string, string>) => {
    const response = await h.api('GET', `/oauth/slack/callback?${new URLSearchParams(params)}`);
    seen.push(response.text);
    return response;
  };
  const install = async (query = '') => {
    const state = (await startInstall(query)).searchParams.get('state')!;
    const installed = await callback({ code: SLACK_CODE, state });
    expect(installed.status).toBe(201);
    return installed.body as { id: string; state: string; settings: Record<string, unknown> };
  };
  const messages = () => slackApi.calls('chat.postMessage');
  const messageFor = (eventId: string) =>
    waitFor(() => messages().find((call) => call.args.blocks?.includes(eventId)), `a Slack message for ${eventId}`);

  beforeAll(async () => {
    slackApi = await startFakeSlack();
    h = await startHarness({ SLACK_API_URL: slackApi.apiUrl, SLACK_CLIENT_ID: 'client-123', SLACK_CLIENT_SECRET: 'client-secret-456' });
    out = outboundHelpers(h, () => key);
  });
  // A workspace per test: each test's Slack installs see only its own events.
  beforeEach(async () => {
    ({ workspaceId, key } = await h.newWorkspace());
  });
  afterAll(async () => {
    for (const text of seen) expect(text).not.toContain(SLACK_BOT_TOKEN);
    await h.stop();
    await slackApi.close();
  });

  it('redirects to Slack with a sealed state, exchanges the code and stores the bot token encrypted', async () => {
    const authorize = await startInstall('?channel=C0SALES');
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('client-123');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.url}/oauth/slack/callback`);
    expect(authorize.searchParams.get('scope')).toContain('chat:write');
    expect(authorize.searchParams.get('state')).not.toContain(workspaceId);

    const installed = await callback({ code: SLACK_CODE, state: authorize.searchParams.get('state')! });
    expect(installed.status).toBe(201);
    expect(installed.body).toMatchObject({ provider: 'slack', state: 'active', settings: { teamId: 'T0ACME', teamName: 'Acme', channel: 'C0SALES' } });
    expect(installed.body.secrets).toEqual({ botToken: expect.not.stringContaining('xoxb') });
    const [exchange] = slackApi.calls('oauth.v2.access');
    expect(exchange.args).toMatchObject({ code: SLACK_CODE, client_id: 'client-123', client_secret: 'client-secret-456', redirect_uri: `${h.url}/oauth/slack/callback` });
    const row = await h.db.selectFrom('integrations').selectAll().where('id', '=', installed.body.id).executeTakeFirstOrThrow();
    expect(row.workspace_id).toBe(workspaceId);
    expect(row.secrets_sealed).not.toContain(SLACK_BOT_TOKEN);
    expect(h.box.open(row.secrets_sealed!)).toEqual({ botToken: SLACK_BOT_TOKEN });
  });

  it('uses the channel picked on Slack when none was asked for, and refuses forged, expired or refused installs', async () => {
    expect((await install()).settings.channel).toBe('C0PICKED');
    const state = (await startInstall()).searchParams.get('state')!;
    const forged = `${state.slice(0, -4)}${state.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const expired = sealState<SlackInstallState>(h.box, SLACK_STATE_PURPOSE, { workspaceId, actor: 'api:test' }, 60_000, Date.now() - 120_000);
    const otherPurpose = sealState(h.box, 'something-else', { workspaceId, actor: 'api:test' }, 60_000);
    const exchanges = slackApi.calls('oauth.v2.access').length;
    for (const bad of [forged, expired, otherPurpose, 'v1.not.a.state']) {
      const refused = await callback({ code: SLACK_CODE, state: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid_state');
    }
    expect(slackApi.calls('oauth.v2.access')).toHaveLength(exchanges);
    expect((await callback({ error: 'access_denied', state })).body.error.code).toBe('slack_denied');
    expect((await callback({ code: 'wrong-code', state })).body.error).toMatchObject({ code: 'slack_exchange_failed', message: expect.stringContaining('invalid_code') });
    expect((await h.api('GET', '/v1/integrations/slack/install')).status).toBe(401);
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
