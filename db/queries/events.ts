import { type Kysely, sql } from 'kysely';
import { randomId } from '../../lib/crypto';
import { isDestination } from './integrations';
import type { Database } from '../schema';

export interface EmittedEvent {
  id: string;
  created: boolean;
  /** When the event (the first one, for a repeated idempotency key) was recorded. */
  createdAt: Date;
  /**
   * False when an idempotency key used before came with another type or data than the first event's
   * (compared as jsonb: key order and spacing do not count, as in the first event's stored data).
   */
  sameRequest: boolean;
}

export interface NewWorkspaceEvent {
  workspaceId: string;
  type: string;
  data: Record<string, unknown>;
  integrationId?: string | null;
  idempotencyKey?: string | null;
  isTest?: boolean;
}

/**
 * Records workspace events in the caller's transaction (or, given the database, in a statement of its
 * own), and queues them for the outbound dispatcher
 * when their workspace has a destination (a workspace without one pays no outbox writes), so each fact
 * and its announcement commit together — all in one statement (data-modifying CTEs). A destination
 * receives the events recorded after it was installed. An event whose idempotency key was used before
 * is not recorded again: its result is the first event's id, and whether it asked for the same event.
 */
export async function emitWorkspaceEvents(trx: Kysely<Database>, events: NewWorkspaceEvent[]): Promise<EmittedEvent[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => ({
    id: randomId('evt'),
    workspace_id: event.workspaceId,
    type: event.type,
    data: JSON.stringify(event.data),
    integration_id: event.integrationId ?? null,
    idempotency_key: event.idempotencyKey ?? null,
    is_test: event.isTest ?? false,
  }));
  const inserted = await trx
    .with('event', (db) =>
      db
        .insertInto('events')
        .values(rows)
        .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
        .returning(['id', 'workspace_id', 'created_at']),
    )
    .with('queued', (db) =>
      db
        .insertInto('outbox')
        .columns(['event_id', 'workspace_id'])
        .expression((eb) =>
          eb
            .selectFrom('event')
            .select(['event.id', 'event.workspace_id'])
            .where((where) =>
              where.exists(
                where
                  .selectFrom('integrations')
                  .select('integrations.id')
                  .whereRef('integrations.workspace_id', '=', 'event.workspace_id')
                  .where(isDestination),
              ),
            ),
        ),
    )
    .selectFrom('event')
    .select(['id', 'created_at'])
    .execute();
  const created = new Map(inserted.map((row) => [row.id, row.created_at]));
  const results: EmittedEvent[] = [];
  for (const row of rows) {
    const createdAt = created.get(row.id);
    if (createdAt) {
      results.push({ id: row.id, created: true, createdAt, sameRequest: true });
      continue;
    }
    const existing = await trx
      .selectFrom('events')
      .select(['id', 'created_at', sql<boolean>`type = ${row.type} and data = ${row.data}::jsonb`.as('same_request')])
      .where('workspace_id', '=', row.workspace_id)
      .where('idempotency_key', '=', row.idempotency_key!)
      .executeTakeFirstOrThrow();
    results.push({ id: existing.id, created: false, createdAt: existing.created_at, sameRequest: existing.same_request });
  }
  return results;
}

export async function emitWorkspaceEvent(trx: Kysely<Database>, event: NewWorkspaceEvent): Promise<EmittedEvent> {
  const [emitted] = await emitWorkspaceEvents(trx, [event]);
  return emitted;
}
