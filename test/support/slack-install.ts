import { newSlackCode } from './fakes/slack';
import type { ApiResponse, Harness } from './harness';

/** The integration id on the callback's success page. */
export const installedId = (page: ApiResponse) => /<dt>Integration<\/dt><dd>(int_\w+)<\/dd>/.exec(page.text)?.[1];

/** Slack's OAuth install driven like a browser (no redirect following); `pages` keeps every callback answer. */
export function slackInstaller(h: Harness, key: () => string) {
  const pages: string[] = [];
  /** Starts an install and returns Slack's consent URL, with the state. */
  const start = async (query = '', as = key()) => {
    const response = await fetch(`${h.url}/v1/integrations/slack/install${query}`, { headers: { authorization: `Bearer ${as}` }, redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  };
  const callback = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await h.api('GET', `/oauth/slack/callback?${new URLSearchParams(params)}`, { headers });
    pages.push(response.text);
    return response;
  };
  /** A whole install; answers the integration as the API shows it. */
  const install = async (query = '') => {
    const state = (await start(query)).searchParams.get('state')!;
    const page = await callback({ code: newSlackCode(), state });
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const view = await h.api('GET', `/v1/integrations/${installedId(page)}`, { key: key() });
    expect(view.status).toBe(200);
    return view.body as { id: string; state: string; settings: Record<string, unknown>; secrets: Record<string, unknown> };
  };
  return { start, callback, install, pages };
}
