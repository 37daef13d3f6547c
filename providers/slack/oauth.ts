import type { OauthV2AccessResponse } from '@slack/web-api';

/** Slack's OAuth v2 install, as far as it is Slack's: where to send the installer, what to ask for, what the answer means. */
const SLACK_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';
/** Post messages (also to public channels the bot has not joined) and let the installer pick a channel. */
const SCOPES = 'chat:write,chat:write.public,incoming-webhook';

/** The consent screen's URL for one install (`state` binds the answer to the install that asked). */
export function slackAuthorizeUrl(clientId: string, redirectUri: string, state: string): string {
  const url = new URL(SLACK_AUTHORIZE_URL);
  url.search = new URLSearchParams({ client_id: clientId, scope: SCOPES, redirect_uri: redirectUri, state }).toString();
  return url.toString();
}

/**
 * An integration's settings and secrets from Slack's `oauth.v2.access` answer (still to be validated
 * by the provider's schemas): the team, the channel asked for at install or else the one picked on the
 * consent screen, and the bot token.
 */
export function slackInstallation(access: OauthV2AccessResponse, askedChannel: string | undefined): { settings: unknown; secrets: unknown } {
  return {
    settings: { teamId: access.team?.id, teamName: access.team?.name, channel: askedChannel ?? access.incoming_webhook?.channel_id },
    secrets: { botToken: access.access_token },
  };
}
