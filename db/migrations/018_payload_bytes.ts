import type { Kysely } from 'kysely';

/**
 * The payload's length as accepted (its JSON text in UTF-8), for the drain's byte budget: the stored
 * size (`pg_column_size`) is compressed, a repetitive 480 KB webhook stores in a few KB, so a budget on
 * it let a batch hold far more than it says. Nullable, no default: adding it rewrites nothing, and the
 * drain measures the rows accepted before it from their payload.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbox').addColumn('payload_bytes', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbox').dropColumn('payload_bytes').execute();
}
