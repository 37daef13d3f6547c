import { type Kysely, sql } from 'kysely';

/** Workspaces, their API keys, integrations and the audit trail of lifecycle transitions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('secrets_sealed', 'text')
    .addColumn('retired_secrets_sealed', 'text')
    .addColumn('external_account_id', 'text')
    .addColumn('installed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('installed_by', 'text', (c) => c.notNull())
    .addColumn('state_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state_changed_by', 'text', (c) => c.notNull())
    .addColumn('state_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('doorbell', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex('integrations_workspace_idx').on('integrations').columns(['workspace_id', 'provider', 'state']).execute();

  await db.schema
    .createTable('integration_transitions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addUniqueConstraint('integration_transitions_request_uq', ['integration_id', 'request_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['integration_transitions', 'integrations', 'api_keys', 'workspaces']) {
    await db.schema.dropTable(table).execute();
  }
}
