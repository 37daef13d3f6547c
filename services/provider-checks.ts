import type { StateReason, StateReasonCode } from '../contract/states';
import type { CredentialCheck, ProviderModule, SettingsProblem } from '../providers/types';
import type { Config } from '../lib/config';

/** Per call: a provider that takes longer is treated as unreachable (and retried by the caller). */
const PROVIDER_API_TIMEOUT_MS = 10_000;

export interface ProviderVerdict {
  credentials: CredentialCheck;
  /** Settings the account cannot honour; only checked once the credentials work. */
  problems: SettingsProblem[];
}

/**
 * Asks the provider whether these credentials work and these settings fit the account, through the
 * provider module's `credentials` (shared by the periodic check, re-authorization and settings changes).
 * Throws `ProviderApiError` when the provider could not be asked.
 */
export async function checkWithProvider(
  provider: ProviderModule,
  settings: unknown,
  secrets: Record<string, unknown>,
  config: Config,
): Promise<ProviderVerdict> {
  if (!provider.credentials) return { credentials: 'unchecked', problems: [] };
  const ctx = {
    settings,
    secrets,
    apiUrl: config.providerApiUrls[provider.id],
    timeoutMs: PROVIDER_API_TIMEOUT_MS,
  };
  const verdict = await provider.credentials.check(ctx);
  return typeof verdict === 'string' ? { credentials: verdict, problems: [] } : verdict;
}

/** The `error` state reason for a verdict, or undefined when all is well. Its text starts with its code, for people reading it. */
export function failureReason(provider: ProviderModule, verdict: ProviderVerdict): StateReason | undefined {
  const reason = (code: StateReasonCode, detail: string): StateReason => ({ code, message: `${code}: ${detail}` });
  if (verdict.credentials === 'unauthorized') return reason('credentials_expired', `${provider.displayName} refused the stored credentials`);
  const [problem] = verdict.problems;
  return problem ? reason('invalid_mapping', `${problem.path}: ${problem.message}`) : undefined;
}
