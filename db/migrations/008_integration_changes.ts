import { type Kysely, sql } from 'kysely';

/**
 * Announces every change of what the webhook endpoint caches (state, settings, secrets) on the
 * `integration_changed` channel, with the integration's id: API processes LISTEN and forget their copy
 * (api/inbound-integrations.ts). The doorbell and health columns change far more often and are not announced.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE FUNCTION notify_integration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('integration_changed', OLD.id);
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER integration_changed
    AFTER UPDATE OF state, settings, secrets_sealed, retired_secrets_sealed ON integrations
    FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.settings IS DISTINCT FROM NEW.settings
      OR OLD.secrets_sealed IS DISTINCT FROM NEW.secrets_sealed OR OLD.retired_secrets_sealed IS DISTINCT FROM NEW.retired_secrets_sealed)
    EXECUTE FUNCTION notify_integration_changed()`.execute(db);
  await sql`CREATE TRIGGER integration_removed AFTER DELETE ON integrations FOR EACH ROW EXECUTE FUNCTION notify_integration_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER integration_removed ON integrations`.execute(db);
  await sql`DROP TRIGGER integration_changed ON integrations`.execute(db);
  await sql`DROP FUNCTION notify_integration_changed()`.execute(db);
}
