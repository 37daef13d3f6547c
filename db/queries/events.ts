import type { Transaction } from 'kysely';
import { randomId } from '../../lib/crypto';
import type { Database } from '../schema';

export interface NewWorkspaceEvent {
  workspaceId: string;
  type: string;
  data: Record<string, unknown>;
  integrationId?: string | null;
  idempotencyKey?: string | null;
  isTest?: boolean;
}

/**
 * Records a workspace event and its outbox row in the caller's transaction, so the fact and its
 * announcement commit together. With an idempotency key, a repeat returns the first event's id.
 */
export async function emitWorkspaceEvent(trx: Transaction<Database>, event: NewWorkspaceEvent): Promise<{ id: string; created: boolean }> {
  // One round trip for the event and its outbox row (a data-modifying CTE).
  const inserted = await trx
    .with('event', (db) =>
      db
        .insertInto('events')
        .values({
          id: randomId('evt'),
          workspace_id: event.workspaceId,
          type: event.type,
          data: JSON.stringify(event.data),
          integration_id: event.integrationId ?? null,
          idempotency_key: event.idempotencyKey ?? null,
          is_test: event.isTest ?? false,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
        .returning(['id', 'workspace_id']),
    )
    .insertInto('outbox')
    .columns(['event_id', 'workspace_id'])
    .expression((db) => db.selectFrom('event').select(['id', 'workspace_id']))
    .returning('event_id as id')
    .executeTakeFirst();
  if (!inserted) {
    const existing = await trx
      .selectFrom('events')
      .select('id')
      .where('workspace_id', '=', event.workspaceId)
      .where('idempotency_key', '=', event.idempotencyKey!)
      .executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }
  return { id: inserted.id, created: true };
}
