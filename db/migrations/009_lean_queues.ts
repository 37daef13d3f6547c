import { type Kysely, sql } from 'kysely';

/**
 * Fewer writes per webhook and no unbounded queue table.
 * - The outbox holds only what waits for dispatch: the dispatcher deletes the rows it planned instead
 *   of marking them (an update wrote a new row version and index entry, and rows were kept forever).
 * - Inbox rows are written twice (accept, outcome); an index on status gets an entry both times. Listing
 *   processed events reads the time index; the rare outcomes (failed, ignored, skipped) keep their own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM outbox WHERE dispatched_at IS NOT NULL`.execute(db);
  await db.schema.dropIndex('outbox_pending_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('dispatched_at').execute();
  await db.schema.createIndex('outbox_created_idx').on('outbox').columns(['created_at']).execute();
  await db.schema.dropIndex('inbox_status_received_idx').execute();
  await sql`CREATE INDEX inbox_outcomes_idx ON inbox (integration_id, status, received_at, id) WHERE status IN ('failed', 'ignored', 'skipped')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbox_outcomes_idx').execute();
  await db.schema.createIndex('inbox_status_received_idx').on('inbox').columns(['integration_id', 'status', 'received_at', 'id']).execute();
  await db.schema.dropIndex('outbox_created_idx').execute();
  await db.schema.alterTable('outbox').addColumn('dispatched_at', 'timestamptz').execute();
  await sql`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE dispatched_at IS NULL`.execute(db);
}
