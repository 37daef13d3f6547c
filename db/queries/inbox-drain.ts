import { type Selectable, sql, type Transaction } from 'kysely';
import type { Db } from '..';
import type { Database, InboxResult, InboxTable } from '../schema';

/** What a drain reads of its integration. */
export function integrationToDrain(db: Db, integrationId: string) {
  return db.selectFrom('integrations').select(['workspace_id', 'provider', 'settings']).where('id', '=', integrationId).executeTakeFirstOrThrow();
}

export type InboxBatchRow = Pick<Selectable<InboxTable>, 'id' | 'dedup_key' | 'event_type' | 'payload' | 'livemode' | 'is_test' | 'received_at' | 'requeued_at'>;

/** How much one batch may hold: rows, and payload bytes (JSON text; the first row is taken whatever its size). */
export interface BatchLimits {
  rows: number;
  bytes: number;
}

/** A batch of pending rows, and whether more were waiting behind it (it was cut by `limits`). */
export interface PendingBatch<Row> {
  rows: Row[];
  full: boolean;
}

/**
 * The next pending rows, oldest first, up to `limits`: a drain holds its batch's payloads in memory
 * (parsed, several times their text), so a run of large webhooks makes smaller batches instead of a heap
 * that grows with the body limit times the batch size. A payload counts its JSON text as accepted
 * (`payload_bytes`), not its stored size, which compression makes a small fraction of it for repetitive
 * JSON; rows accepted before that column existed are measured from their payload. The running sum
 * covers the first `limits.rows` rows only, however long the backlog (payloads past the budget are not
 * read out). `lock`: those rows are locked, skipping rows another transaction holds (any past the byte
 * budget stay locked, unapplied, until this one ends).
 */
async function pendingBatch<Row>(
  db: Db | Transaction<Database>,
  columns: ReadonlyArray<keyof InboxBatchRow>,
  integrationId: string,
  limits: BatchLimits,
  options: { lastId?: string; lock: boolean },
): Promise<PendingBatch<Row>> {
  const upTo = options.lastId === undefined ? sql`` : sql`AND id <= ${options.lastId}::bigint`;
  const lock = options.lock ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const selected = sql.join(columns.map((column) => sql.ref(column)));
  const { rows } = await sql<Row & { considered: string }>`SELECT ${selected}, considered FROM (
      SELECT *, sum(size) OVER (ORDER BY id) - size AS before, count(*) OVER () AS considered FROM (
        SELECT ${selected}, coalesce(payload_bytes, octet_length(payload::text)) AS size FROM inbox
        WHERE integration_id = ${integrationId} AND status = 'pending' ${upTo}
        ORDER BY id LIMIT ${limits.rows} ${lock}
      ) AS firsts
    ) AS candidates WHERE before < ${limits.bytes} ORDER BY id`.execute(db);
  const considered = Number(rows[0]?.considered ?? 0);
  return { rows: rows.map(({ considered: _, ...row }) => row as Row), full: considered === limits.rows || considered > rows.length };
}

/**
 * Locks the next batch of pending rows, oldest first; rows another drain holds are skipped. With
 * `lastId`, only rows up to it (those a provider read was made for).
 */
export function lockPendingBatch(trx: Transaction<Database>, integrationId: string, limits: BatchLimits, lastId?: string): Promise<PendingBatch<InboxBatchRow>> {
  return pendingBatch(trx, ['id', 'dedup_key', 'event_type', 'payload', 'livemode', 'is_test', 'received_at', 'requeued_at'], integrationId, limits, { lastId, lock: true });
}

/**
 * The rows the next batch will most likely hold, looked at without a lock (for the provider read before
 * it), and whether more wait behind them: the batch locked up to its last row cannot tell.
 */
export function peekPendingBatch(db: Db, integrationId: string, limits: BatchLimits): Promise<PendingBatch<Pick<InboxBatchRow, 'id' | 'dedup_key' | 'event_type' | 'payload'>>> {
  return pendingBatch(db, ['id', 'dedup_key', 'event_type', 'payload'], integrationId, limits, { lock: false });
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
