import { type Kysely, sql } from 'kysely';

/** Inbox (transport dedup), customers, conversions (business dedup), workspace events and their outbox. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('livemode', 'boolean')
    .addColumn('is_test', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .addColumn('duplicate_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_duplicate_at', 'timestamptz')
    .addColumn('result', 'jsonb')
    .addUniqueConstraint('inbox_dedup_uq', ['integration_id', 'dedup_key'])
    .execute();
  await sql`CREATE INDEX inbox_pending_idx ON inbox (integration_id, id) WHERE status = 'pending'`.execute(db);
  await db.schema.createIndex('inbox_log_idx').on('inbox').columns(['integration_id', 'status', 'id']).execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('integration_id', 'text', (c) => c.notNull())
    .addColumn('is_test', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('customers_external_uq', ['workspace_id', 'provider', 'external_id'])
    .execute();

  await db.schema
    .createTable('conversions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('integration_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.references('customers.id'))
    .addColumn('amount_minor', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('quantity', 'integer')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('refunds_external_id', 'text')
    .addColumn('sale_conversion_id', 'text')
    .addColumn('external_event_id', 'text', (c) => c.notNull())
    .addColumn('click_id', 'text')
    .addColumn('link_key', 'text')
    .addColumn('inbox_id', 'bigint')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('is_test', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Business keys: a sale/refund once per (workspace, source, invoice/order id); a lead once per (workspace, customer, event name).
  await sql`CREATE UNIQUE INDEX conversions_sale_uq ON conversions (workspace_id, provider, type, external_id) WHERE type IN ('sale', 'refund')`.execute(db);
  await sql`CREATE UNIQUE INDEX conversions_lead_uq ON conversions (workspace_id, customer_id, event_name) WHERE type = 'lead'`.execute(db);
  await db.schema.createIndex('conversions_list_idx').on('conversions').columns(['workspace_id', 'occurred_at', 'id']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('integration_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('is_test', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('events_idempotency_uq', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('events_list_idx').on('events').columns(['workspace_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('event_id', 'text', (c) => c.primaryKey().references('events.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dispatched_at', 'timestamptz')
    .execute();
  await sql`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE dispatched_at IS NULL`.execute(db);

  await db.schema
    .createTable('signature_failures')
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('bucket', 'timestamptz', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('last_reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signature_failures_pk', ['integration_id', 'bucket'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['signature_failures', 'outbox', 'events', 'conversions', 'customers', 'inbox']) {
    await db.schema.dropTable(table).execute();
  }
}
