import { type Kysely, sql } from 'kysely';

/**
 * Every inbox row is written twice (accept, then its outcome, which changes indexed columns), so each
 * index costs two entries per webhook. Two are dropped: `inbox_log_idx` is covered by
 * `inbox_status_received_idx`, and health reads lag and the last processed event through
 * `inbox_received_idx` instead of `inbox_processed_idx`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbox_log_idx').execute();
  await db.schema.dropIndex('inbox_processed_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('inbox_log_idx').on('inbox').columns(['integration_id', 'status', 'id']).execute();
  await sql`CREATE INDEX inbox_processed_idx ON inbox (integration_id, processed_at) WHERE processed_at IS NOT NULL`.execute(db);
}
