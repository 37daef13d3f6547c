import { type Kysely, sql } from 'kysely';

/** Outbound deliveries (one per destination and event), every attempt, and destination health. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('workflow_id', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_latency_ms', 'integer')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addUniqueConstraint('deliveries_destination_event_uq', ['integration_id', 'event_id'])
    .execute();
  await db.schema.createIndex('deliveries_list_idx').on('deliveries').columns(['integration_id', 'created_at', 'id']).execute();
  await sql`CREATE INDEX deliveries_waiting_idx ON deliveries (updated_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX deliveries_resend_idx ON deliveries (integration_id) WHERE status IN ('held', 'failed')`.execute(db);
  await db.schema.createIndex('deliveries_workflow_idx').on('deliveries').column('workflow_id').execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('request_headers', 'jsonb', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addUniqueConstraint('delivery_attempts_uq', ['delivery_id', 'attempt'])
    .execute();

  await db.schema
    .alterTable('integrations')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'timestamptz')
    .addColumn('last_delivery_success_at', 'timestamptz')
    .addColumn('last_delivery_failure_at', 'timestamptz')
    .addColumn('failure_alerted_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('integrations')
    .dropColumn('consecutive_failures')
    .dropColumn('failing_since')
    .dropColumn('last_delivery_success_at')
    .dropColumn('last_delivery_failure_at')
    .dropColumn('failure_alerted_at')
    .execute();
  await db.schema.dropTable('delivery_attempts').execute();
  await db.schema.dropTable('deliveries').execute();
}
