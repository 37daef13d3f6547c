import { consumeOAuthState, issueOAuthState } from '../../db/queries/oauth-states';
import { sha256Hex } from '../../lib/crypto';
import { SLACK_STATE_PURPOSE } from '../../api/routes/slack-install';
import { type FakeSlack, newSlackCode, SLACK_BOT_TOKEN, startFakeSlack } from '../support/fakes/slack';
import type { ApiResponse, Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { installedId, slackInstaller } from '../support/slack-install';

describe('Slack OAuth install: single-use state bound to the workspace, readable pages', () => {
  let h: Harness;
  let slackApi: FakeSlack;
  let workspaceId: string;
  let key: string;
  let installer: ReturnType<typeof slackInstaller>;

  const exchanges = () => slackApi.calls('oauth.v2.access').length;
  const slackIntegrations = (workspace: string) =>
    h.db.selectFrom('integrations').select(['id', 'installed_by']).where('workspace_id', '=', workspace).where('provider', '=', 'slack').execute();
  const stateRows = (state: string) => h.db.selectFrom('oauth_states').selectAll().where('state_hash', '=', sha256Hex(state)).execute();
  /** A page for a person: HTML that loads nothing, with this status, title and text. */
  const expectPage = (page: ApiResponse, status: number, title: string, ...texts: string[]) => {
    expect([page.status, page.headers.get('content-type')]).toEqual([status, 'text/html; charset=utf-8']);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.text).toMatch(/^<!doctype html>/);
    expect(page.text).toContain(`<h1>${title}</h1>`);
    for (const text of texts) expect(page.text).toContain(text);
    expect(page.text).not.toMatch(/<script|<link|src=/i);
  };
  const refusedState = (page: ApiResponse) => expectPage(page, 400, 'This install link cannot be used', 'expired or was already used', '<dd>invalid_state</dd>');

  beforeAll(async () => {
    slackApi = await startFakeSlack();
    h = await startHarness({ SLACK_API_URL: slackApi.apiUrl, SLACK_CLIENT_ID: 'client-123', SLACK_CLIENT_SECRET: 'client-secret-456' });
    installer = slackInstaller(h, () => key);
  });
  beforeEach(async () => {
    ({ workspaceId, key } = await h.newWorkspace());
  });
  afterAll(async () => {
    for (const text of installer.pages) expect(text).not.toContain(SLACK_BOT_TOKEN);
    await h.stop();
    await slackApi.close();
  });

  it('redirects to Slack with an opaque state, exchanges the code, stores the bot token encrypted and shows the integration', async () => {
    const authorize = await installer.start('?channel=C0SALES');
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('client-123');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.url}/oauth/slack/callback`);
    expect(authorize.searchParams.get('scope')).toContain('chat:write');
    const state = authorize.searchParams.get('state')!;
    expect(state).toMatch(/^[\w-]{43}$/);
    expect(await stateRows(state)).toEqual([expect.objectContaining({ purpose: SLACK_STATE_PURPOSE, workspace_id: workspaceId, payload: { channel: 'C0SALES' } })]);

    const code = newSlackCode();
    const page = await installer.callback({ code, state });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(new RegExp(`^${h.url}/#/integrations/int_\\w+$`));
    const id = installedId(page)!;
    const view = await h.api('GET', `/v1/integrations/${id}`, { key });
    expect(view.body).toMatchObject({ provider: 'slack', state: 'active', settings: { teamId: 'T0ACME', teamName: 'Acme', channel: 'C0SALES' } });
    expect(view.body.secrets).toEqual({ botToken: expect.not.stringContaining('xoxb') });
    const [exchange] = slackApi.calls('oauth.v2.access').slice(-1);
    expect(exchange.args).toMatchObject({ code, client_id: 'client-123', client_secret: 'client-secret-456', redirect_uri: `${h.url}/oauth/slack/callback` });
    const row = await h.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.workspace_id).toBe(workspaceId);
    expect(row.secrets_sealed).not.toContain(SLACK_BOT_TOKEN);
    expect(h.box.open(row.secrets_sealed!)).toEqual({ botToken: SLACK_BOT_TOKEN });
    expect(await stateRows(state)).toEqual([]);
  });

  it('keeps the team read-only: a PATCH changing it is a 400 naming the field that changes nothing; sent back as stored, the rest is saved; an install cannot set it', async () => {
    const installed = await installer.install('?channel=C0SALES');
    const stored = () => h.db.selectFrom('integrations').select('settings').where('id', '=', installed.id).executeTakeFirstOrThrow();
    const before = await stored();
    const refused = await h.api('PATCH', `/v1/integrations/${installed.id}`, { key, body: { settings: { ...installed.settings, teamId: 'T0OTHER', channel: 'C0OTHER' } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([{ path: 'settings.teamId', message: 'read-only (set from Slack at install): it cannot be set or changed' }]);
    expect(await stored()).toEqual(before);
    expect((await h.api('PATCH', `/v1/integrations/${installed.id}`, { key, body: { settings: { teamName: 'Renamed' } } })).body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['settings.teamName']);
    expect(await stored()).toEqual(before);

    // What a settings form sends: every setting, the read-only ones as they are.
    const saved = await h.api('PATCH', `/v1/integrations/${installed.id}`, { key, body: { settings: { ...installed.settings, channel: 'C0OTHER' } } });
    expect(saved.status).toBe(200);
    expect(saved.body.settings).toMatchObject({ teamId: 'T0ACME', teamName: 'Acme', channel: 'C0OTHER' });

    const forged = await h.api('POST', '/v1/integrations', { key, body: { provider: 'slack', settings: { teamId: 'T0FORGED', channel: 'C0SALES' }, secrets: { botToken: 'xoxb-pasted' } } });
    expect(forged.status).toBe(400);
    expect(forged.body.error.issues).toEqual([{ path: 'settings.teamId', message: expect.stringContaining('read-only') }]);
    expect(await slackIntegrations(workspaceId)).toHaveLength(1);
  });

  it('uses the channel picked on Slack when none was asked for', async () => {
    expect((await installer.install()).settings.channel).toBe('C0PICKED');
  });

  it('takes a state once: a replay with a new code (or the same) is refused with a page and installs nothing again', async () => {
    const state = (await installer.start()).searchParams.get('state')!;
    const first = newSlackCode();
    expect((await installer.callback({ code: first, state })).status).toBe(303);
    const exchanged = exchanges();
    refusedState(await installer.callback({ code: newSlackCode(), state }));
    refusedState(await installer.callback({ code: first, state }));
    expect(exchanges()).toBe(exchanged);
    expect(await slackIntegrations(workspaceId)).toHaveLength(1);

    // Two callbacks racing with one state: one installs, the other is refused.
    const raced = (await installer.start()).searchParams.get('state')!;
    const answers = await Promise.all([installer.callback({ code: newSlackCode(), state: raced }), installer.callback({ code: newSlackCode(), state: raced })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 400]);
    expect(await slackIntegrations(workspaceId)).toHaveLength(2);
  });

  it('installs into the workspace that started the install, whoever brings the state back', async () => {
    const other = await h.newWorkspace('Other');
    const ours = (await installer.start()).searchParams.get('state')!;
    const theirs = (await installer.start('', other.key)).searchParams.get('state')!;
    // Extra parameters and another workspace's API key change nothing: the state says which workspace asked.
    const page = await installer.callback({ code: newSlackCode(), state: ours, workspace_id: other.workspaceId }, { authorization: `Bearer ${other.key}` });
    expect(page.status).toBe(303);
    const [installed] = await slackIntegrations(workspaceId);
    expect(installed).toEqual({ id: installedId(page), installed_by: expect.stringMatching(/^api:key_/) });
    expect(await slackIntegrations(other.workspaceId)).toEqual([]);
    expect((await h.api('GET', `/v1/integrations/${installed.id}`, { key: other.key })).status).toBe(404);

    expect((await installer.callback({ code: newSlackCode(), state: theirs })).status).toBe(303);
    expect(await slackIntegrations(other.workspaceId)).toHaveLength(1);
    expect(await slackIntegrations(workspaceId)).toHaveLength(1);
  });

  it('refuses forged, expired and other-purpose states before asking Slack, and sweeps expired ones', async () => {
    const state = (await installer.start()).searchParams.get('state')!;
    const forged = `${state.slice(0, -4)}${state.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const expired = (await installer.start()).searchParams.get('state')!;
    await h.db.updateTable('oauth_states').set({ expires_at: new Date(Date.now() - 60_000) }).where('state_hash', '=', sha256Hex(expired)).execute();
    const otherPurpose = await issueOAuthState(h.db, 'something-else', { workspaceId, actor: 'api:test', payload: {} }, 60_000);
    const exchanged = exchanges();
    for (const bad of [forged, expired, otherPurpose, 'v1.not.a.state']) refusedState(await installer.callback({ code: newSlackCode(), state: bad }));
    expect(exchanges()).toBe(exchanged);
    expect(await slackIntegrations(workspaceId)).toEqual([]);
    // The other purpose's state is still good for its own flow, once.
    expect(await consumeOAuthState(h.db, 'something-else', otherPurpose)).toEqual({ workspaceId, actor: 'api:test', payload: {} });

    const stale = (await installer.start()).searchParams.get('state')!;
    await h.db.updateTable('oauth_states').set({ expires_at: new Date(Date.now() - 60_000) }).where('state_hash', '=', sha256Hex(stale)).execute();
    await installer.start();
    expect(await stateRows(stale)).toEqual([]);
    expect(await stateRows(state)).toHaveLength(1);
  });

  it('answers a refusal on Slack, a refused code and an incomplete link with pages, using the state up', async () => {
    const denied = (await installer.start()).searchParams.get('state')!;
    expectPage(
      await installer.callback({ error: '<script>alert(1)</script>', state: denied }),
      400,
      'Slack was not connected',
      'Slack did not authorize the app (&lt;script&gt;alert(1)&lt;/script&gt;), so nothing was installed.',
      '<dd>slack_denied</dd>',
    );
    expectPage(await installer.callback({ error: 'access_denied', state: (await installer.start()).searchParams.get('state')! }), 400, 'Slack was not connected', '(access_denied)');
    refusedState(await installer.callback({ code: newSlackCode(), state: denied }));

    const refusedCode = (await installer.start()).searchParams.get('state')!;
    expectPage(await installer.callback({ code: 'wrong-code', state: refusedCode }), 400, 'Slack refused the installation', 'Slack refused the code (invalid_code)', '<dd>slack_exchange_failed</dd>');
    expectPage(await installer.callback({ code: newSlackCode() }), 400, 'This link is incomplete', 'query.state', '<dd>invalid_request</dd>');
    expect(await slackIntegrations(workspaceId)).toEqual([]);
    expect((await h.api('GET', '/v1/integrations/slack/install')).status).toBe(401);
  });
});
