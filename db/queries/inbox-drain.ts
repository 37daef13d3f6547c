import { type Selectable, sql, type Transaction } from 'kysely';
import type { Db } from '..';
import type { Database, InboxResult, InboxTable } from '../schema';

/** What a drain reads of its integration. */
export function integrationToDrain(db: Db, integrationId: string) {
  return db.selectFrom('integrations').select(['workspace_id', 'provider', 'settings']).where('id', '=', integrationId).executeTakeFirstOrThrow();
}

export type InboxBatchRow = Pick<Selectable<InboxTable>, 'id' | 'dedup_key' | 'event_type' | 'payload' | 'livemode' | 'is_test' | 'received_at' | 'requeued_at'>;

/**
 * Locks the next batch of pending rows, oldest first; rows another drain holds are skipped. With
 * `lastId`, only rows up to it (those a provider read was made for).
 */
export async function lockPendingBatch(trx: Transaction<Database>, integrationId: string, batchSize: number, lastId?: string): Promise<InboxBatchRow[]> {
  let pending = trx
    .selectFrom('inbox')
    .select(['id', 'dedup_key', 'event_type', 'payload', 'livemode', 'is_test', 'received_at', 'requeued_at'])
    .where('integration_id', '=', integrationId)
    .where('status', '=', 'pending');
  if (lastId !== undefined) pending = pending.where(sql<boolean>`id <= ${lastId}::bigint`);
  return pending.orderBy('id').limit(batchSize).forUpdate().skipLocked().execute();
}

/** The rows the next batch will most likely hold, looked at without a lock (for the provider read before it). */
export async function peekPendingBatch(db: Db, integrationId: string, batchSize: number): Promise<Array<Pick<InboxBatchRow, 'id' | 'dedup_key' | 'event_type' | 'payload'>>> {
  return db
    .selectFrom('inbox')
    .select(['id', 'dedup_key', 'event_type', 'payload'])
    .where('integration_id', '=', integrationId)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(batchSize)
    .execute();
}

/** How a drained row ended: applied (with what it produced), or ignored / failed with the reason. */
export type InboxOutcome = { status: 'processed'; result: InboxResult } | { status: 'ignored' | 'failed'; reason: string };

/** Every drained row's outcome in one statement rather than one UPDATE per row. */
export async function markInboxRows(trx: Transaction<Database>, rows: Array<{ id: number; outcome: InboxOutcome }>): Promise<void> {
  const values = rows.map(({ id, outcome }) => {
    const processed = outcome.status === 'processed';
    return sql`(${id}::bigint, ${outcome.status}::text, ${processed ? null : outcome.reason}::text, ${processed ? JSON.stringify(outcome.result) : null}::jsonb)`;
  });
  await sql`UPDATE inbox SET status = v.status, reason = v.reason, result = v.result, processed_at = now()
    FROM (VALUES ${sql.join(values)}) AS v(id, status, reason, result)
    WHERE inbox.id = v.id`.execute(trx);
}

/** Runs `work` under a savepoint: if it throws, what it wrote is rolled back and the transaction goes on. */
export async function inSavepoint<T>(trx: Transaction<Database>, work: () => Promise<T>): Promise<T> {
  await sql`SAVEPOINT inbox_event`.execute(trx);
  try {
    return await work();
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT inbox_event`.execute(trx);
    throw error;
  }
}

/** Whether a row waits, from the partial index of pending rows alone. */
export async function hasPending(db: Db, integrationId: string): Promise<boolean> {
  const waiting = await db.selectFrom('inbox').select('id').where('integration_id', '=', integrationId).where('status', '=', 'pending').limit(1).executeTakeFirst();
  return waiting !== undefined;
}

/**
 * Clears the doorbell, then looks again: a row that slipped in meanwhile is drained now (true), and any
 * row inserted after this point finds the doorbell clear and rings it (see inboxAccepter's caller).
 */
export async function rearmDoorbell(db: Db, integrationId: string): Promise<boolean> {
  await db.updateTable('integrations').set({ doorbell: false }).where('id', '=', integrationId).execute();
  if (!(await hasPending(db, integrationId))) return false;
  await db.updateTable('integrations').set({ doorbell: true }).where('id', '=', integrationId).execute();
  return true;
}
