import { WebAPIPlatformError } from '@slack/web-api';
import { Router } from 'express';
import { z } from 'zod';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { type Page, sendPage } from '../html-page';
import { installIntegration } from '../install-integration';
import { parseWith } from '../validate';
import { consumeOAuthState, issueOAuthState } from '../../db/queries/oauth-states';
import type { Config } from '../../lib/config';
import { logger } from '../../lib/logger';
import type { ProviderRoute } from './provider-route';
import { slackClient } from '../../providers/slack/deliver';
import { slackAuthorizeUrl, slackInstallation } from '../../providers/slack/oauth';
import { slack } from '../../providers/slack';

export const SLACK_STATE_PURPOSE = 'slack-install';
const STATE_TTL_MS = 10 * 60 * 1000;

/** What the install start asked for, kept with its state. */
interface SlackInstallRequest extends Record<string, unknown> {
  channel?: string;
}

export const InstallQuery = z.strictObject({ channel: z.string().trim().min(1).max(80).optional(), format: z.enum(['redirect', 'json']).optional() });
const CallbackQuery = z.object({ state: z.string().min(1).max(4000), code: z.string().min(1).max(1000).optional(), error: z.string().max(200).optional() });

function slackApp(config: Config): { clientId: string; clientSecret: string; redirectUri: string } {
  if (!config.slackClientId || !config.slackClientSecret) {
    throw new HttpError(503, 'slack_not_configured', 'Slack is not configured on this server (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET).');
  }
  return { clientId: config.slackClientId, clientSecret: config.slackClientSecret, redirectUri: `${config.publicBaseUrl}/oauth/slack/callback` };
}

/**
 * `GET /v1/integrations/slack/install[?channel=C…]`: redirects to Slack's consent screen with a new
 * single-use `state` bound to the caller's workspace (see db/queries/oauth-states.ts).
 */
function slackInstallRouter({ db, config }: ApiContext): Router {
  const router = Router();
  router.get('/slack/install', async (req, res) => {
    const app = slackApp(config);
    const { channel, format } = parseWith(InstallQuery, req.query, 'query');
    const { workspaceId, actor } = caller(res);
    const state = await issueOAuthState<SlackInstallRequest>(db, SLACK_STATE_PURPOSE, { workspaceId, actor, payload: { channel } }, STATE_TTL_MS);
    const url = slackAuthorizeUrl(app.clientId, app.redirectUri, state);
    // The admin UI cannot follow a redirect it must authenticate for: it asks for the URL and navigates itself.
    if (format === 'json') res.json({ authorizeUrl: url });
    else res.redirect(302, url);
  });
  return router;
}

/**
 * Uses the `state` up (before anything else, so a replay gets nowhere, with a new code or not),
 * exchanges the code with `oauth.v2.access`, and installs an active Slack integration, in the workspace
 * that started the install, with the bot token (encrypted), the team, and the channel asked for at
 * install or picked on Slack's consent screen.
 */
async function finishInstall(ctx: ApiContext, rawQuery: unknown): Promise<string> {
  const app = slackApp(ctx.config);
  const query = parseWith(CallbackQuery, rawQuery, 'query');
  const asked = await consumeOAuthState<SlackInstallRequest>(ctx.db, SLACK_STATE_PURPOSE, query.state);
  if (!asked) {
    throw new HttpError(400, 'invalid_state', 'This install link is not valid: it has expired or was already used. Start the Slack installation again from Linquid; each link works once, for 10 minutes.');
  }
  if (!query.code) throw new HttpError(400, 'slack_denied', `Slack did not authorize the app (${query.error ?? 'no code'}), so nothing was installed.`);
  const access = await slackClient(ctx.config.providerApiUrls.slack, ctx.config.deliveryRetry.attemptTimeoutMs)
    .oauth.v2.access({ client_id: app.clientId, client_secret: app.clientSecret, code: query.code, redirect_uri: app.redirectUri })
    .catch((error: unknown) => {
      if (error instanceof WebAPIPlatformError) throw new HttpError(400, 'slack_exchange_failed', `Slack refused the code (${error.data.error}), so nothing was installed. Start the Slack installation again.`);
      logger.warn({ err: error }, 'Slack oauth.v2.access failed');
      throw new HttpError(502, 'slack_unreachable', 'Linquid could not reach Slack to finish the installation, so nothing was installed. Start the Slack installation again.');
    });
  const installation = slackInstallation(access, asked.payload.channel);
  const settings = parseWith(slack.settingsSchema, installation.settings, 'settings');
  const secrets = parseWith(slack.secretsSchema, installation.secrets, 'secrets');
  const id = await installIntegration(ctx, { workspaceId: asked.workspaceId, actor: asked.actor, provider: slack, settings, secrets, connectReason: 'Slack app installed' });
  return id;
}

const FAILURE_TITLES: Record<string, string> = {
  invalid_request: 'This link is incomplete',
  invalid_state: 'This install link cannot be used',
  slack_denied: 'Slack was not connected',
  slack_exchange_failed: 'Slack refused the installation',
  slack_unreachable: 'Slack could not be reached',
  slack_not_configured: 'Slack is not set up on this server',
};

function failurePage(error: unknown): [number, Page] {
  if (!(error instanceof HttpError)) {
    logger.error({ err: error }, 'Slack install callback failed');
    return [500, { title: 'The installation could not be finished', paragraphs: ['Something went wrong on our side, and nothing was installed. Start the Slack installation again.'], facts: [['Error', 'internal']] }];
  }
  const title = FAILURE_TITLES[error.code] ?? 'The installation could not be finished';
  return [error.status, { title, paragraphs: [error.message], facts: [['Error', error.code]] }];
}

/**
 * `GET /oauth/slack/callback` (public: Slack sends the installer's browser here): answers that browser
 * by redirecting to the new integration's page in the admin UI, or with a small HTML page saying what failed.
 */
function slackCallbackRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/callback', async (req, res) => {
    try {
      // Ends on the new integration's page in the admin UI (the page is no-cache; the code and state stay behind).
      const id = await finishInstall(ctx, req.query);
      res.set('referrer-policy', 'no-referrer').redirect(303, `${ctx.config.publicBaseUrl}/#/integrations/${encodeURIComponent(id)}`);
    } catch (error) {
      sendPage(res, ...failurePage(error));
    }
  });
  return router;
}

/** Slack's OAuth v2 install: the start (for a caller with an API key) and the callback Slack redirects to. */
export const slackRoutes: ProviderRoute[] = [
  { mount: { v1: '/integrations' }, router: slackInstallRouter },
  { mount: { public: '/oauth/slack' }, router: slackCallbackRouter },
];
