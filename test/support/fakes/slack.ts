import { type FakeServer, type ReceivedRequest, startFakeServer } from './http-server';

let codes = 0;
/** A code as Slack's consent screen hands out: good for one exchange, as at Slack. */
export const newSlackCode = () => `slack-test-code-${++codes}`;
export const SLACK_BOT_TOKEN = 'xoxb-test-bot-token-123456';
/** Messages to this channel fail the way Slack fails them: 200 with `ok: false`. */
export const MISSING_CHANNEL = 'C0MISSING';

export interface SlackCall {
  method: string;
  authorization: string | undefined;
  args: Record<string, string>;
}

export interface FakeSlack extends FakeServer {
  /** The `slackApiUrl` to configure (`…/api/`). */
  apiUrl: string;
  calls(method: string): SlackCall[];
}

function slackReply(method: string, args: Record<string, string>, exchanged: Set<string>) {
  if (method === 'oauth.v2.access') {
    if (!/^slack-test-code-\d+$/.test(args.code ?? '') || exchanged.has(args.code)) return { ok: false, error: 'invalid_code' };
    exchanged.add(args.code);
    return {
      ok: true,
      access_token: SLACK_BOT_TOKEN,
      token_type: 'bot',
      team: { id: 'T0ACME', name: 'Acme' },
      incoming_webhook: { channel: '#picked', channel_id: 'C0PICKED' },
    };
  }
  if (method === 'chat.postMessage') {
    return args.channel === MISSING_CHANNEL ? { ok: false, error: 'channel_not_found' } : { ok: true, channel: args.channel, ts: `${Date.now()}.000100` };
  }
  // The credential check; revoking tokens is test/support/fakes/fake-slack-auth.ts.
  if (method === 'auth.test') return { ok: true, team: 'Acme', team_id: 'T0ACME', user_id: 'U0BOT' };
  return { ok: false, error: 'unknown_method' };
}

const methodOf = (request: ReceivedRequest) => request.path.replace(/^\/api\//, '').split('?')[0];
const argsOf = (request: ReceivedRequest) => Object.fromEntries(new URLSearchParams(request.body));

/** The parts of the Slack Web API we call, answering like Slack (form-encoded in, JSON out). */
export async function startFakeSlack(): Promise<FakeSlack> {
  const exchanged = new Set<string>();
  const server = await startFakeServer((request) => ({ status: 200, body: slackReply(methodOf(request), argsOf(request), exchanged) }));
  return Object.assign(server, {
    apiUrl: `${server.url}/api/`,
    calls: (method: string) =>
      server.requests
        .filter((request) => methodOf(request) === method)
        .map((request) => ({ method, authorization: request.headers.authorization, args: argsOf(request) })),
  });
}
