import { type Kysely, sql } from 'kysely';

/**
 * Refunds reported in more than one shape, and sales known by more than one id (Stripe: a refund is
 * reported with its own id by `refund.*` and only as an amount step by `charge.refunded`; an invoice is
 * paid by a payment intent or charge that its refunds name instead of the invoice).
 * - `conversions.refund_payment` / `refund_step`: the payment a refund returns money from, and the amount
 *   step of that payment's refunds the row stands for, so that a second report of the same refund finds it.
 * - `sale_aliases`: another id of a sale (a payment that paid it); refunds naming the alias link to the sale.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversions')
    .addColumn('refund_payment', 'text')
    .addColumn('refund_step', 'text')
    .execute();
  await sql`CREATE INDEX conversions_refund_payment_idx ON conversions (workspace_id, provider, refund_payment) WHERE refund_payment IS NOT NULL`.execute(db);
  await db.schema
    .createTable('sale_aliases')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('sale_external_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sale_aliases_pk', ['workspace_id', 'provider', 'alias'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sale_aliases').execute();
  await db.schema.dropIndex('conversions_refund_payment_idx').execute();
  await db.schema.alterTable('conversions').dropColumn('refund_payment').dropColumn('refund_step').execute();
}
