import { type Kysely, sql } from 'kysely';
import { type Db, isDatabaseUnavailable } from '..';
import { groupCommit } from '../../lib/group-commit';
import { byLockOrder } from '../../lib/lock-order';
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

/** A new event's id and time; undefined for one whose idempotency key was used before (nothing recorded). */
type Inserted = { id: string; createdAt: Date } | undefined;

/** An event as its row is written (its data as JSON text). */
interface EventRow {
  id: string;
  workspace_id: string;
  type: string;
  data: string;
  integration_id: string | null;
  idempotency_key: string | null;
  is_test: boolean;
}

function eventRow(event: NewWorkspaceEvent): EventRow {
  return {
    id: randomId('evt'),
    workspace_id: event.workspaceId,
    type: event.type,
    data: JSON.stringify(event.data),
    integration_id: event.integrationId ?? null,
    idempotency_key: event.idempotencyKey ?? null,
    is_test: event.isTest ?? false,
  };
}

/**
 * Records workspace events and queues them for the outbound dispatcher when their workspace has a
 * destination (a workspace without one pays no outbox writes), so each fact and its announcement commit
 * together — all in one statement (data-modifying CTEs). A destination receives the events recorded
 * after it was installed. An event whose idempotency key was used before is not recorded again. The rows
 * go in (workspace, idempotency key) lock order, so two processes' statements never deadlock
 * (lib/lock-order); results are matched by event id.
 */
async function insertEventRows(trx: Kysely<Database>, rows: EventRow[]): Promise<Inserted[]> {
  const ordered = [...rows].sort((a, b) => byLockOrder(a.workspace_id, b.workspace_id) || byLockOrder(a.idempotency_key ?? '', b.idempotency_key ?? ''));
  const inserted = await trx
    .with('event', (db) =>
      db
        .insertInto('events')
        .values(ordered)
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
  return rows.map((row) => {
    const createdAt = created.get(row.id);
    return createdAt && { id: row.id, createdAt };
  });
}

/** The first event recorded under an event's idempotency key, and whether it had the same type and data. */
async function firstEventOf(trx: Kysely<Database>, event: NewWorkspaceEvent): Promise<EmittedEvent> {
  const existing = await trx
    .selectFrom('events')
    .select(['id', 'created_at', sql<boolean>`type = ${event.type} and data = ${JSON.stringify(event.data)}::jsonb`.as('same_request')])
    .where('workspace_id', '=', event.workspaceId)
    .where('idempotency_key', '=', event.idempotencyKey!)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false, createdAt: existing.created_at, sameRequest: existing.same_request };
}

/**
 * Records workspace events in the caller's transaction (or, given the database, in a statement of its
 * own; see insertEventRows). For an event whose idempotency key was used before, the result is
 * the first event's id, and whether it asked for the same event.
 */
export async function emitWorkspaceEvents(trx: Kysely<Database>, events: NewWorkspaceEvent[]): Promise<EmittedEvent[]> {
  if (events.length === 0) return [];
  const inserted = await insertEventRows(trx, events.map(eventRow));
  const results: EmittedEvent[] = [];
  for (const [index, row] of inserted.entries()) {
    results.push(row ? { ...row, created: true, sameRequest: true } : await firstEventOf(trx, events[index]));
  }
  return results;
}

export async function emitWorkspaceEvent(trx: Kysely<Database>, event: NewWorkspaceEvent): Promise<EmittedEvent> {
  const [emitted] = await emitWorkspaceEvents(trx, [event]);
  return emitted;
}

/** Events per statement: a flush carries the events posted during the previous one, up to this. */
const MAX_FLUSH_EVENTS = 200;
/** Data bytes per statement (JSON text, each event's up to BODY_LIMIT_BYTES); as MAX_FLUSH_BYTES in inbox-accept.ts. */
const MAX_FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * Records events posted one by one (`POST /v1/events`), each in a statement of its own as far as its
 * caller can tell: concurrent ones are written together (group commit, see lib/group-commit), each
 * answered after the commit that holds its row. An event whose idempotency key is already in the flush
 * waits for the next one, where it meets the first as recorded; a flush that fails for anything but an
 * unreachable database is tried again event by event, so only the faulty one fails. The first event of
 * a key used before is read after the flush, which is one statement: committed whole or not at all.
 */
export function workspaceEventRecorder(db: Db): (event: NewWorkspaceEvent) => Promise<EmittedEvent> {
  const insert = groupCommit((rows: EventRow[]) => insertEventRows(db, rows), {
    maxWeight: MAX_FLUSH_EVENTS,
    weight: () => 1,
    maxBytes: MAX_FLUSH_BYTES,
    bytes: (row) => Buffer.byteLength(row.data),
    // Workspace ids never hold a newline: the pair is unambiguous.
    keys: (row) => (row.idempotency_key ? [`${row.workspace_id}\n${row.idempotency_key}`] : []),
    retryAlone: (error) => !isDatabaseUnavailable(error),
  });
  return async (event) => {
    const inserted = await insert(eventRow(event));
    return inserted ? { ...inserted, created: true, sameRequest: true } : firstEventOf(db, event);
  };
}
