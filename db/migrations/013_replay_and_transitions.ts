import type { Kysely } from 'kysely';

/**
 * Replaying the inbox and reading the audit trail.
 * - `inbox.requeued_at`: when a skipped, failed or ignored row was queued again (replay, or a provider
 *   redelivery after a pause). Health and lag count a replayed row's wait from then, not from its first
 *   arrival hours earlier. Null on the accept path, so it costs a webhook nothing.
 * - `GET /v1/integrations/:id/transitions` pages newest first over (occurred_at, id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbox').addColumn('requeued_at', 'timestamptz').execute();
  await db.schema.createIndex('integration_transitions_log_idx').on('integration_transitions').columns(['integration_id', 'occurred_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('integration_transitions_log_idx').execute();
  await db.schema.alterTable('inbox').dropColumn('requeued_at').execute();
}
