import type { FakeSlack } from './slack';

/**
 * Adds `auth.test` to the fake Slack Web API: `ok` for the tokens in `tokens`, Slack's own
 * `invalid_auth` for any other (delete a token to revoke it).
 */
export function withAuthTest(slack: FakeSlack, tokens: Set<string>): FakeSlack {
  const respond = slack.respond;
  slack.respond = (request) => {
    if (!request.path.startsWith('/api/auth.test')) return respond(request);
    const token = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    return { status: 200, body: token && tokens.has(token) ? { ok: true, team: 'Acme', team_id: 'T0ACME', user_id: 'U0BOT' } : { ok: false, error: 'invalid_auth' } };
  };
  return slack;
}
