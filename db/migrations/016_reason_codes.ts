import { type Kysely, sql } from 'kysely';

/**
 * `integrations.state_reason_code` and `integration_transitions.reason_code`: why the service moved an
 * integration (contract/states `StateReasonCode`), beside the reason text, so diagnostics read a code
 * instead of parsing the text. Rows written before get the code their text was read as.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('state_reason_code', 'text').execute();
  await db.schema.alterTable('integration_transitions').addColumn('reason_code', 'text').execute();
  const failed = (reason: string) =>
    sql.raw(`CASE
      WHEN ${reason} LIKE 'credentials\\_expired:%' THEN 'credentials_expired'
      WHEN ${reason} LIKE 'invalid\\_mapping:%' THEN 'invalid_mapping'
      WHEN ${reason} ~* 'deliver' THEN 'delivery_failures'
    END`);
  const gone = `'the destination answered 410 Gone'`;
  await sql`UPDATE integrations SET state_reason_code = ${failed('state_reason')} WHERE state = 'error' AND state_reason IS NOT NULL`.execute(db);
  await sql`UPDATE integrations SET state_reason_code = 'destination_gone' WHERE state = 'disconnected' AND state_reason = ${sql.raw(gone)}`.execute(db);
  await sql`UPDATE integration_transitions SET reason_code = ${failed('reason')} WHERE action = 'fail' AND reason IS NOT NULL`.execute(db);
  await sql`UPDATE integration_transitions SET reason_code = 'destination_gone' WHERE action = 'disconnect' AND reason = ${sql.raw(gone)}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('integration_transitions').dropColumn('reason_code').execute();
  await db.schema.alterTable('integrations').dropColumn('state_reason_code').execute();
}
