import type { StateReasonCode } from '../contract/states';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { metrics } from '../lib/metrics';
import { checkWithProvider, failureReason } from '../services/provider-checks';
import { getProvider } from '../providers';
import { openSecrets } from '../db/queries/secrets';

export interface CheckCredentialsResult {
  result: 'ok' | 'unchecked' | 'unauthorized' | 'invalid_mapping';
  /** Set when the integration should go to `error` (`credentials_expired: …` / `invalid_mapping: …`), with its code. */
  failReason?: string;
  failCode?: StateReasonCode;
}

/**
 * The periodic credential (and settings) check of one integration against its provider's API. A
 * provider that cannot be reached throws, so the activity's retry policy retries it; each failed
 * attempt is counted.
 */
export function checkCredentialsActivity(db: Db, box: SecretBox, config: Config) {
  return async function checkCredentials({ integrationId }: { integrationId: string }): Promise<CheckCredentialsResult> {
    const row = await db
      .selectFrom('integrations')
      .select(['id', 'workspace_id', 'provider', 'settings', 'secrets_sealed'])
      .where('id', '=', integrationId)
      .executeTakeFirstOrThrow();
    const provider = getProvider(row.provider);
    if (!provider?.credentials || !row.secrets_sealed) return { result: 'unchecked' };
    const ids = { workspaceId: row.workspace_id, integrationId, provider: row.provider };
    let verdict;
    try {
      verdict = await checkWithProvider(provider, provider.settingsSchema.parse(row.settings), openSecrets(box, row), config);
    } catch (error) {
      metrics.credentialChecks.inc({ provider: row.provider, result: 'unreachable' });
      logger.warn({ ...ids, reason: error instanceof Error ? error.message : String(error) }, 'credential check: provider unreachable');
      throw error;
    }
    const failure = failureReason(provider, verdict);
    const result = verdict.credentials === 'unauthorized' ? 'unauthorized' : failure ? 'invalid_mapping' : verdict.credentials;
    metrics.credentialChecks.inc({ provider: row.provider, result });
    if (failure) logger.warn({ ...ids, reason: failure.message }, 'credential check failed: the integration goes to error');
    return failure ? { result, failReason: failure.message, failCode: failure.code } : { result };
  };
}
