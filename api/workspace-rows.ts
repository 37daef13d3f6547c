import type { Db } from '../db';
import { findDeliveryOfWorkspace } from '../db/queries/deliveries';
import { findIntegrationOfWorkspace } from '../db/queries/integrations';
import type { DeliveryRow, IntegrationRow } from '../db/schema';
import { notFound } from './errors';

/** An integration of the caller's workspace, or 404: another workspace's id is indistinguishable from none. */
export async function integrationOfWorkspace(db: Db, workspaceId: string, integrationId: string): Promise<IntegrationRow> {
  const row = await findIntegrationOfWorkspace(db, workspaceId, integrationId);
  if (!row) throw notFound(`integration ${integrationId}`);
  return row;
}

/** A delivery of the caller's workspace, or 404. */
export async function deliveryOfWorkspace(db: Db, workspaceId: string, deliveryId: string): Promise<DeliveryRow> {
  const row = await findDeliveryOfWorkspace(db, workspaceId, deliveryId);
  if (!row) throw notFound(`delivery ${deliveryId}`);
  return row;
}
