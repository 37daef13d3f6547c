import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import type { DeliveryResult, OutboundHandler } from '../types';
import { apiBase } from '../shared/api-check';
import { maskHeaders, notSent, outcomeOf, snippet } from '../shared/http-delivery';
import { channelFor, slackMessage } from './message';
import type { SlackSecrets, SlackSettings } from './schema';

/** Slack answers HTTP 200 with `ok: false`; these errors are Slack's side and worth retrying. */
const RETRYABLE_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** One call, no retries of its own: Temporal owns the retry schedule (and honours Retry-After). */
export function slackClient(apiUrl: string | undefined, timeoutMs: number, token?: string): WebClient {
  const slackApiUrl = `${apiBase(apiUrl, 'https://slack.com/api')}/`;
  return new WebClient(token, { slackApiUrl, timeout: timeoutMs, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
}

function fromSlackError(error: unknown, requestHeaders: Record<string, string>): DeliveryResult {
  const base = { requestHeaders, responseBodySnippet: null };
  if (error instanceof WebAPIRateLimitedError) {
    return { ...base, outcome: 'retry', statusCode: 429, retryAfterMs: error.retryAfter * 1000, error: 'rate limited by Slack' };
  }
  if (error instanceof WebAPIPlatformError) {
    const outcome = RETRYABLE_PLATFORM_ERRORS.has(error.data.error) ? 'retry' : 'rejected';
    return { ...base, outcome, statusCode: 200, responseBodySnippet: snippet(JSON.stringify(error.data)), error: `Slack error: ${error.data.error}` };
  }
  if (error instanceof WebAPIHTTPError) {
    return { ...base, outcome: outcomeOf(error.statusCode), statusCode: error.statusCode, responseBodySnippet: snippet(String(error.body ?? '')), error: `HTTP ${error.statusCode}` };
  }
  return notSent(error instanceof Error ? error.message : String(error), 'retry', requestHeaders);
}

/** `chat.postMessage` to the channel the routing rules pick, as a Block Kit message. */
export const slackOutbound: OutboundHandler<SlackSettings, SlackSecrets> = {
  subscribes: (event, settings) => channelFor(event, settings) !== undefined,
  deliver: async (ctx) => {
    const channel = channelFor(ctx.envelope, ctx.settings);
    const token = ctx.secrets.botToken;
    if (!channel) return notSent('no channel: no route claims this event and no default channel is set');
    if (!token) return notSent('not authorized: install the Slack app again');
    const requestHeaders = maskHeaders({ authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, ['authorization']);
    try {
      const client = slackClient(ctx.apiUrl, ctx.timeoutMs, token);
      const result = await client.chat.postMessage({ channel, ...slackMessage(ctx.envelope), unfurl_links: false });
      return {
        outcome: 'success',
        statusCode: 200,
        requestHeaders,
        responseBodySnippet: snippet(JSON.stringify({ ok: result.ok, channel: result.channel, ts: result.ts })),
      };
    } catch (error) {
      return fromSlackError(error, requestHeaders);
    }
  },
};
