import { type Kysely, sql } from 'kysely';

/**
 * The "by customer" indexes hold only rows that name a customer. The read API looks events and
 * conversions up by a given customer id (`?customerId=`), which never matches NULL, so the NULL
 * entries served no query: every `customer.created` event (its data is the customer, not a
 * `customer` field) and every conversion without a customer cost one entry each.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('events_customer_idx').execute();
  await sql`CREATE INDEX events_customer_idx ON events (workspace_id, ((data->'customer'->>'id')), created_at, id) WHERE (data->'customer'->>'id') IS NOT NULL`.execute(db);
  await db.schema.dropIndex('conversions_customer_idx').execute();
  await sql`CREATE INDEX conversions_customer_idx ON conversions (workspace_id, customer_id, occurred_at, id) WHERE customer_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversions_customer_idx').execute();
  await db.schema.createIndex('conversions_customer_idx').on('conversions').columns(['workspace_id', 'customer_id', 'occurred_at', 'id']).execute();
  await db.schema.dropIndex('events_customer_idx').execute();
  await sql`CREATE INDEX events_customer_idx ON events (workspace_id, ((data->'customer'->>'id')), created_at, id)`.execute(db);
}
