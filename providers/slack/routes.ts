import { WebAPIPlatformError } from '@slack/web-api';
import { Router } from 'express';
import { z } from 'zod';
import { caller } from '../../api/auth';
import type { ApiContext } from '../../api/context';
import { HttpError } from '../../api/errors';
import { installIntegration } from '../../api/install-integration';
import { integrationView } from '../../api/integration-view';
import { openState, sealState } from '../../api/oauth-state';
import { parseWith } from '../../api/validate';
import { integrationOfWorkspace } from '../../db/queries/integrations';
import type { Config } from '../../lib/config';
import { logger } from '../../lib/logger';
import type { ProviderRoute } from '../types';
import { slackClient } from './deliver';
import { slack } from '.';

const SLACK_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';
export const SLACK_STATE_PURPOSE = 'slack-install';
const STATE_TTL_MS = 10 * 60 * 1000;
/** Post messages (also to public channels the bot has not joined) and let the installer pick a channel. */
const SCOPES = 'chat:write,chat:write.public,incoming-webhook';

export interface SlackInstallState {
  workspaceId: string;
  actor: string;
  channel?: string;
}

const InstallQuery = z.strictObject({ channel: z.string().trim().min(1).max(80).optional() });
const CallbackQuery = z.object({ state: z.string().min(1).max(4000), code: z.string().min(1).max(1000).optional(), error: z.string().max(200).optional() });

function slackApp(config: Config): { clientId: string; clientSecret: string; redirectUri: string } {
  if (!config.slackClientId || !config.slackClientSecret) {
    throw new HttpError(503, 'slack_not_configured', 'Slack is not configured on this server (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET)');
  }
  return { clientId: config.slackClientId, clientSecret: config.slackClientSecret, redirectUri: `${config.publicBaseUrl}/oauth/slack/callback` };
}

/** `GET /v1/integrations/slack/install[?channel=C…]`: redirects to Slack's consent screen with a sealed, expiring `state`. */
function slackInstallRouter({ box, config }: ApiContext): Router {
  const router = Router();
  router.get('/slack/install', (req, res) => {
    const app = slackApp(config);
    const { channel } = parseWith(InstallQuery, req.query, 'query');
    const { workspaceId, actor } = caller(res);
    const state = sealState<SlackInstallState>(box, SLACK_STATE_PURPOSE, { workspaceId, actor, channel }, STATE_TTL_MS);
    const url = new URL(SLACK_AUTHORIZE_URL);
    url.search = new URLSearchParams({ client_id: app.clientId, scope: SCOPES, redirect_uri: app.redirectUri, state }).toString();
    res.redirect(302, url.toString());
  });
  return router;
}

/**
 * `GET /oauth/slack/callback` (public: Slack sends the browser here): checks the `state`, exchanges the
 * code with `oauth.v2.access`, and installs an active Slack integration with the bot token (encrypted),
 * the team, and the channel asked for at install or picked on Slack's consent screen.
 */
function slackCallbackRouter(ctx: ApiContext): Router {
  const { db, box, config } = ctx;
  const router = Router();
  router.get('/callback', async (req, res) => {
    const query = parseWith(CallbackQuery, req.query, 'query');
    const state = openState<SlackInstallState>(box, SLACK_STATE_PURPOSE, query.state);
    if (!state) throw new HttpError(400, 'invalid_state', 'this install link is invalid or has expired: start the Slack installation again');
    if (!query.code) throw new HttpError(400, 'slack_denied', `Slack did not authorize the app (${query.error ?? 'no code'})`);
    const app = slackApp(config);
    const access = await slackClient(config.providerApiUrls.slack, config.deliveryRetry.attemptTimeoutMs)
      .oauth.v2.access({ client_id: app.clientId, client_secret: app.clientSecret, code: query.code, redirect_uri: app.redirectUri })
      .catch((error: unknown) => {
        if (error instanceof WebAPIPlatformError) throw new HttpError(400, 'slack_exchange_failed', `Slack refused the code: ${error.data.error}`);
        logger.warn({ err: error }, 'Slack oauth.v2.access failed');
        throw new HttpError(502, 'slack_unreachable', 'could not reach Slack to finish the installation; try again');
      });
    const settings = parseWith(
      slack.settingsSchema,
      { teamId: access.team?.id, teamName: access.team?.name, channel: state.channel ?? access.incoming_webhook?.channel_id },
      'settings',
    );
    const secrets = parseWith(slack.secretsSchema, { botToken: access.access_token }, 'secrets');
    const id = await installIntegration(ctx, { workspaceId: state.workspaceId, actor: state.actor, provider: slack, settings, secrets, connectReason: 'Slack app installed' });
    res.status(201).json(integrationView(await integrationOfWorkspace(db, state.workspaceId, id), box, config));
  });
  return router;
}

/** Slack's OAuth v2 install: the start (for a caller with an API key) and the callback Slack redirects to. */
export const slackRoutes: ProviderRoute[] = [
  { mount: { v1: '/integrations' }, router: slackInstallRouter },
  { mount: { public: '/oauth/slack' }, router: slackCallbackRouter },
];
