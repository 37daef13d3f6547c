import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../lib/config';
import { logger } from '../lib/logger';
import { checkWithProvider, type ProviderVerdict } from '../services/provider-checks';
import { ProviderApiError, type ProviderModule } from '../providers/types';
import { readOnlySettings } from '../providers';
import { HttpError, invalid } from './errors';

export interface ValidationTarget {
  provider: ProviderModule;
  settings: unknown;
  secrets: Record<string, unknown>;
  /** Credentials are being saved (install, re-authorization, resume from error): they must work, and the provider must answer. */
  credentialsChanging: boolean;
  /** For the logs. */
  integrationId?: string;
}

/**
 * Validates credentials and settings with the provider before anything is saved; throws the answer
 * for the caller: 422 `credentials_rejected` (the provider refused them), 422 `invalid_settings` with
 * each field and the values the account allows, 502 `provider_unreachable` when credentials are being
 * saved and the provider cannot be asked. A settings-only change goes ahead when the provider cannot
 * be asked: the periodic check validates it later.
 */
export async function assertAcceptedByProvider(config: Config, target: ValidationTarget): Promise<void> {
  const { provider } = target;
  let verdict: ProviderVerdict;
  try {
    verdict = await checkWithProvider(provider, target.settings, target.secrets, config);
  } catch (error) {
    if (!(error instanceof ProviderApiError)) throw error;
    if (target.credentialsChanging) {
      throw new HttpError(502, 'provider_unreachable', `could not reach ${provider.displayName} to validate the credentials (${error.message}); nothing was changed, try again`);
    }
    logger.warn({ integrationId: target.integrationId, provider: provider.id, reason: error.message }, 'settings not validated: provider unreachable');
    return;
  }
  if (verdict.credentials === 'unauthorized' && target.credentialsChanging) {
    throw new HttpError(422, 'credentials_rejected', `${provider.displayName} refused these credentials; nothing was changed`, [
      { path: 'secrets', message: `${provider.displayName} answered 401/403 with these credentials` },
    ]);
  }
  if (verdict.problems.length > 0) {
    throw new HttpError(422, 'invalid_settings', verdict.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '), verdict.problems);
  }
}

/**
 * A 400 naming each read-only setting (`readOnlySettings`: Linquid sets it from the provider at install) that the
 * request sets to anything but what is stored; sending the stored value back (as a settings form does) is fine.
 */
export function assertReadOnlySettingsKept(provider: ProviderModule, given: Record<string, unknown>, stored: Record<string, unknown>): void {
  const issues = readOnlySettings(provider)
    .filter((name) => Object.hasOwn(given, name) && !isDeepStrictEqual(given[name], stored[name]))
    .map((name) => ({ path: `settings.${name}`, message: `read-only (set from ${provider.displayName} at install): it cannot be set or changed` }));
  if (issues.length > 0) throw invalid(issues);
}
