import { randomId } from '../lib/crypto';
import { startIntegrationWorkflow } from '../services/integration-workflows';
import { logger } from '../lib/logger';
import { secretColumns } from '../db/queries/integrations';
import type { ProviderModule } from '../providers/types';
import type { ApiContext } from './context';
import { HttpError } from './errors';
import { transitionIntegration } from './transition';

export interface Installation {
  workspaceId: string;
  actor: string;
  provider: ProviderModule;
  /** Already validated against the provider's schemas. */
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  /** Why it connects right away (its credentials came with it). */
  connectReason: string;
}

/**
 * Installs an integration the way `POST /v1/integrations` does — row and audit entry, its lifecycle
 * workflow (undone if it cannot start), then `connect` when the credentials suffice — for the flows
 * that install on the caller's behalf (Zapier REST hooks, the Slack OAuth callback). Returns its id.
 */
export async function installIntegration(ctx: ApiContext, install: Installation): Promise<string> {
  const { db, box, config, temporal } = ctx;
  const { workspaceId, actor, provider, settings, secrets } = install;
  const now = new Date();
  const row = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('integrations')
      .values({
        id: randomId('int'),
        workspace_id: workspaceId,
        provider: provider.id,
        state: 'pending',
        settings: JSON.stringify(settings),
        ...secretColumns(box, provider, settings, secrets),
        external_account_id: provider.externalAccountId?.(settings) ?? null,
        installed_by: actor,
        state_changed_at: now,
        state_changed_by: actor,
        state_reason: 'installed',
        updated_at: now,
        task_queue: config.taskQueue,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('integration_transitions')
      .values({ integration_id: inserted.id, workspace_id: workspaceId, action: 'install', from_state: 'none', to_state: 'pending', actor, reason: null, occurred_at: now, request_id: 'install' })
      .execute();
    return inserted;
  });
  try {
    await startIntegrationWorkflow(temporal, config.taskQueue, row, provider.displayName, config.credentialCheckIntervalMs);
  } catch (error) {
    await db.deleteFrom('integrations').where('id', '=', row.id).execute();
    logger.error({ err: error, integrationId: row.id }, 'could not start the integration workflow');
    throw new HttpError(503, 'temporal_unavailable', 'could not start the integration workflow; nothing was installed, try again');
  }
  if (provider.isAuthorized(secrets)) await transitionIntegration(ctx, row.id, { action: 'connect', actor, reason: install.connectReason });
  return row.id;
}
