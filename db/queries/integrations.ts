import type { ExpressionBuilder, Transaction } from 'kysely';
import type { Db } from '..';
import type { SecretBox } from '../../lib/crypto';
import { logger } from '../../lib/logger';
import { canDeliver, getProvider, outboundProviderIds } from '../../providers';
import type { ProviderModule } from '../../providers/types';
import type { Database, IntegrationRow } from '../schema';
import { openSecrets } from './secrets';

/** An integration of this workspace, or undefined: another workspace's id is indistinguishable from none. */
export async function findIntegrationOfWorkspace(db: Db, workspaceId: string, integrationId: string): Promise<IntegrationRow | undefined> {
  return db
    .selectFrom('integrations')
    .selectAll()
    .where('id', '=', integrationId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

/**
 * An integration that can deliver: of an outbound provider, and judged able to by it (`delivers`; null
 * for rows not judged yet counts as able). `isDestination` and `deliversEvents` are this one rule, in SQL
 * and for a loaded row.
 */
export const isDestination = (eb: ExpressionBuilder<Database, 'integrations'>) =>
  eb.and([
    eb('integrations.provider', 'in', outboundProviderIds),
    eb('integrations.delivers', 'is not', false),
    eb('integrations.state', '!=', 'disconnected'),
  ]);

/** Whether the integration is (or, paused, would be) a destination, whatever its state. */
export const deliversEvents = (row: Pick<IntegrationRow, 'provider' | 'delivers'>) => outboundProviderIds.includes(row.provider) && row.delivers !== false;

/** Sealed secrets and what they let the integration do, written together so `delivers` never lags its secrets. */
export function secretColumns(box: SecretBox, provider: ProviderModule, settings: unknown, secrets: Record<string, unknown>) {
  return { secrets_sealed: box.seal(secrets), delivers: canDeliver(provider, settings, secrets) };
}

/** `canDeliver` of a stored integration, with these settings and its secrets opened with the service key. */
function judged(box: SecretBox, row: Pick<IntegrationRow, 'provider' | 'secrets_sealed'>, settings: unknown): boolean {
  const provider = getProvider(row.provider);
  return provider !== undefined && canDeliver(provider, settings, openSecrets(box, row));
}

/** `delivers` for new settings, judged with the integration's stored secrets. */
export async function deliversWithSettings(db: Db | Transaction<Database>, box: SecretBox, integrationId: string, settings: Record<string, unknown>): Promise<boolean> {
  const row = await db.selectFrom('integrations').select(['provider', 'secrets_sealed']).where('id', '=', integrationId).executeTakeFirstOrThrow();
  return judged(box, row, settings);
}

/**
 * Judges the integrations installed before `delivers` was recorded (their secrets can only be opened
 * here, not in a migration); run at start, before anything is dispatched.
 */
export async function judgeDestinations(db: Db, box: SecretBox): Promise<void> {
  const rows = await db.selectFrom('integrations').select(['id', 'provider', 'settings', 'secrets_sealed']).where('delivers', 'is', null).execute();
  for (const row of rows) {
    let delivers: boolean;
    try {
      delivers = judged(box, row, row.settings);
    } catch (error) {
      // Sealed under another key: left to the old rule rather than stopping the service.
      logger.warn({ err: error, integrationId: row.id }, 'could not open the secrets to judge whether the integration delivers');
      continue;
    }
    await db.updateTable('integrations').set({ delivers }).where('id', '=', row.id).where('delivers', 'is', null).execute();
  }
}
