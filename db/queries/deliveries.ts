import type { Db } from '..';
import type { OutboundEnvelope } from '../../contract/workspace-events';
import type { DeliveryRow, EventRow } from '../schema';

/** The Standard-Webhooks-style body every destination receives. */
export function envelopeOf(event: Pick<EventRow, 'id' | 'type' | 'created_at' | 'workspace_id' | 'data'>): OutboundEnvelope {
  return { id: event.id, type: event.type, createdAt: event.created_at.toISOString(), workspaceId: event.workspace_id, data: event.data };
}

/** A delivery of this workspace, or undefined (another workspace's id is indistinguishable from none). */
export async function findDeliveryOfWorkspace(db: Db, workspaceId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}
