import { type Kysely, sql } from 'kysely';

/** Health reads processing lag and the last processed event per integration without scanning its inbox. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX inbox_processed_idx ON inbox (integration_id, processed_at) WHERE processed_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbox_processed_idx').execute();
}
