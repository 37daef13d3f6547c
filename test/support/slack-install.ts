import { newSlackCode } from './fakes/slack';
import type { ApiResponse, Harness } from './harness';

/** The integration id in the callback's redirect to the admin UI's integration page. */
export const installedId = (page: ApiResponse) => /\/#\/integrations\/(int_\w+)$/.exec(page.headers.get('location') ?? '')?.[1];

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
    // Not following the success redirect: where it points is what is checked.
    const response = await fetch(`${h.url}/oauth/slack/callback?${new URLSearchParams(params)}`, { headers, redirect: 'manual' });
    const text = await response.text();
    pages.push(text);
    return { status: response.status, body: undefined, text, headers: response.headers } satisfies ApiResponse;
  };
  /** A whole install; answers the integration as the API shows it. */
  const install = async (query = '') => {
    const state = (await start(query)).searchParams.get('state')!;
    const page = await callback({ code: newSlackCode(), state });
    expect(page.status).toBe(303);
    const view = await h.api('GET', `/v1/integrations/${installedId(page)}`, { key: key() });
    expect(view.status).toBe(200);
    return view.body as { id: string; state: string; settings: Record<string, unknown>; secrets: Record<string, unknown> };
  };
  return { start, callback, install, pages };
}
