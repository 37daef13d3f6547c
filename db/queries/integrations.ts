import type { ExpressionBuilder } from 'kysely';
import type { Db } from '..';
import { notFound } from '../../api/errors';
import { outboundProviderIds } from '../../providers';
import type { Database, IntegrationRow } from '../schema';

/** An integration of this workspace, or 404 — another workspace's id is indistinguishable from none. */
export async function integrationOfWorkspace(db: Db, workspaceId: string, integrationId: string): Promise<IntegrationRow> {
  const row = await db
    .selectFrom('integrations')
    .selectAll()
    .where('id', '=', integrationId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) throw notFound(`integration ${integrationId}`);
  return row;
}

/** A destination: an integration of an outbound provider, in any state but `disconnected`. */
export const isDestination = (eb: ExpressionBuilder<Database, 'integrations'>) =>
  eb.and([eb('integrations.provider', 'in', outboundProviderIds), eb('integrations.state', '!=', 'disconnected')]);
