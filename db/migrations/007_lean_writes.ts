import { type Kysely, sql } from 'kysely';

/**
 * Fewer index entries per webhook, one index where a batch needs it.
 * - Every inbox row is written twice (accept, then its outcome, which changes indexed columns), so each
 *   inbox index costs two entries per webhook: `inbox_log_idx` is covered by `inbox_status_received_idx`,
 *   and health reads lag and the last processed event through `inbox_received_idx`, not `inbox_processed_idx`.
 * - Events carry an idempotency key only when a client sent one (`POST /v1/events`): the unique index
 *   holds those alone, not one NULL entry per conversion event.
 * - Linking refunds to a sale stored in a drain batch finds them by the sale they name.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbox_log_idx').execute();
  await db.schema.dropIndex('inbox_processed_idx').execute();
  await db.schema.alterTable('events').dropConstraint('events_idempotency_uq').execute();
  await sql`CREATE UNIQUE INDEX events_idempotency_uq ON events (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX conversions_refunds_idx ON conversions (workspace_id, provider, refunds_external_id) WHERE type = 'refund'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversions_refunds_idx').execute();
  await db.schema.dropIndex('events_idempotency_uq').execute();
  await db.schema.alterTable('events').addUniqueConstraint('events_idempotency_uq', ['workspace_id', 'idempotency_key']).execute();
  await db.schema.createIndex('inbox_log_idx').on('inbox').columns(['integration_id', 'status', 'id']).execute();
  await sql`CREATE INDEX inbox_processed_idx ON inbox (integration_id, processed_at) WHERE processed_at IS NOT NULL`.execute(db);
}
