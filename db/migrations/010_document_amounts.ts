import { type Kysely, sql } from 'kysely';

/**
 * Amounts reported for provider documents (a HubSpot deal) apart from the sale: a report may come
 * before the sale exists (an amount set before the deal closes), and the latest report wins by the
 * provider's own time. Sales still waiting for their amount get a small partial index of their own,
 * for the drain's bounded retry and the diagnostics.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('document_amounts')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('document_amounts_pk', ['workspace_id', 'provider', 'external_id'])
    .execute();
  await sql`CREATE INDEX conversions_amount_pending_idx ON conversions (integration_id, created_at) WHERE amount_minor IS NULL AND metadata ? 'amountPending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversions_amount_pending_idx').execute();
  await db.schema.dropTable('document_amounts').execute();
}
