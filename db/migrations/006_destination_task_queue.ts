import type { Kysely } from 'kysely';

/**
 * The task queue an integration's workflow runs on: its delivery workflows run there too, whichever
 * process dispatches them (null for rows installed before: the dispatcher's own queue).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('task_queue', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('task_queue').execute();
}
