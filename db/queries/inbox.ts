import type { InboxStatus } from '../../contract/states';
import { sql, type Transaction } from 'kysely';
import type { Db } from '..';
import type { Database, InboxRow } from '../schema';

/** When an inbox row started waiting: its arrival, or its latest re-queue (replay, redelivery after a pause). */
export const queuedAt = sql<Date>`coalesce(inbox.requeued_at, inbox.received_at)`;

/** Outcomes a replay takes back: never `processed` (done) nor `pending` (already queued). */
export const REPLAYABLE_STATUSES = ['skipped', 'failed', 'ignored'] as const satisfies readonly InboxStatus[];
type ReplayableStatus = (typeof REPLAYABLE_STATUSES)[number];

/** The rows named (`ids`), or the rows in a status and time range, oldest first, up to `limit`. */
export type ReplaySelection = { statuses: ReplayableStatus[] } & ({ ids: string[] } | { receivedFrom?: Date; receivedTo?: Date; limit: number });

export interface ReplayedRow {
  id: string;
  dedup_key: string;
  event_type: string;
  received_at: Date;
  is_test: boolean;
  /** Status and reason the replay found. */
  status: InboxStatus;
  reason: string | null;
  requeued: boolean;
}

/**
 * Queues rows of one integration's inbox again — pending, reason and result cleared — for its drain to
 * apply with the current settings (business keys make a second application a no-op). The rows are
 * locked, so concurrent replays queue each row once; `more` says rows beyond `limit` still match.
 */
export async function requeueInboxRows(trx: Transaction<Database>, integrationId: string, selection: ReplaySelection): Promise<{ rows: ReplayedRow[]; more: boolean }> {
  let select = trx
    .selectFrom('inbox')
    .select(['id', 'dedup_key', 'event_type', 'received_at', 'is_test', 'status', 'reason'])
    .where('integration_id', '=', integrationId)
    // One lock order for every replay, so two of them never deadlock.
    .orderBy('received_at')
    .orderBy('id')
    .forUpdate();
  if ('ids' in selection) {
    select = select.where(sql<boolean>`id = any(${selection.ids}::bigint[])`);
  } else {
    select = select.where('status', 'in', selection.statuses).limit(selection.limit + 1);
    if (selection.receivedFrom) select = select.where('received_at', '>=', selection.receivedFrom);
    if (selection.receivedTo) select = select.where('received_at', '<', selection.receivedTo);
  }
  const found = await select.execute();
  const more = !('ids' in selection) && found.length > selection.limit;
  const rows = (more ? found.slice(0, -1) : found).map((row) => ({
    ...row,
    id: String(row.id),
    requeued: selection.statuses.some((status) => status === row.status),
  }));
  const requeued = rows.filter((row) => row.requeued).map((row) => row.id);
  if (requeued.length > 0) {
    await trx
      .updateTable('inbox')
      .set({ status: 'pending', reason: null, result: null, processed_at: null, requeued_at: sql`now()` })
      .where(sql<boolean>`id = any(${requeued}::bigint[])`)
      .execute();
  }
  return { rows, more };
}

/**
 * One row of an integration's inbox with its payload: the body the provider sent, as stored (the request's
 * headers, signatures included, are never stored). Undefined when the integration has no such row.
 */
export async function findInboxEvent(db: Db, integrationId: string, id: string): Promise<InboxRow | undefined> {
  return db.selectFrom('inbox').selectAll().where('integration_id', '=', integrationId).where(sql<boolean>`id = ${id}::bigint`).executeTakeFirst();
}
