import { WebAPIHTTPError, WebAPIPlatformError } from '@slack/web-api';
import { credentialVerdict } from '../shared/api-check';
import { type CredentialsHandler, ProviderApiError } from '../types';
import { slackClient } from './deliver';
import type { SlackSecrets, SlackSettings } from './schema';

/** `auth.test` errors that mean the token no longer works (the app was uninstalled, the token revoked…). */
const REFUSED = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission']);

export const slackCredentials: CredentialsHandler<SlackSettings, SlackSecrets> = {
  check: async ({ secrets, apiUrl, timeoutMs }) => {
    if (!secrets.botToken) return 'unchecked';
    try {
      await slackClient(apiUrl, timeoutMs, secrets.botToken).auth.test();
      return 'ok';
    } catch (error) {
      if (error instanceof WebAPIPlatformError && REFUSED.has(error.data.error)) return 'unauthorized';
      if (error instanceof WebAPIHTTPError) return credentialVerdict(error.statusCode, 'Slack');
      throw new ProviderApiError(`Slack auth.test failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
};
