import { type Kysely, sql } from 'kysely';

/**
 * Indexes for the read API's keyset pages (newest first over (timestamp, id)) and its most common
 * filters. conversions (workspace_id, occurred_at, id) and events (workspace_id, created_at, id)
 * already exist (002).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('customers_list_idx').on('customers').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('conversions_customer_idx').on('conversions').columns(['workspace_id', 'customer_id', 'occurred_at', 'id']).execute();
  await sql`CREATE INDEX events_customer_idx ON events (workspace_id, ((data->'customer'->>'id')), created_at, id)`.execute(db);
  await db.schema.createIndex('inbox_received_idx').on('inbox').columns(['integration_id', 'received_at', 'id']).execute();
  await db.schema.createIndex('inbox_status_received_idx').on('inbox').columns(['integration_id', 'status', 'received_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['inbox_status_received_idx', 'inbox_received_idx', 'events_customer_idx', 'conversions_customer_idx', 'customers_list_idx']) {
    await db.schema.dropIndex(index).execute();
  }
}
