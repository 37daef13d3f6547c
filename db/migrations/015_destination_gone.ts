import type { Kysely } from 'kysely';

/**
 * `integrations.gone_at`: when a destination first answered 410 Gone. Its deliveries stop at once, in
 * every worker, without waiting for its workflow to apply the disconnect the 410 asks for.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('gone_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('gone_at').execute();
}
