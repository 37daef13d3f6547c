import type { Db } from '..';
import { notFound } from '../../api/errors';
import type { IntegrationRow } from '../schema';

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
