import type { Kysely } from 'kysely';

/**
 * Whether an integration can deliver (its provider's `canDeliver` over its settings and secrets, judged
 * when they are saved): only then is it a destination. The secrets are sealed, so rows installed before
 * stay null until the service judges them at start (`judgeDestinations`); null counts as the old rule
 * (any integration of an outbound provider).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('delivers', 'boolean').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('delivers').execute();
}
