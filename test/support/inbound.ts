import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db';
import type { Harness } from './harness';
import { waitFor } from './harness';

/** Shortcuts over the API and the database for inbound tests. */
export function inboundHelpers(h: Harness, key: () => string) {
  const install = async (provider: string, settings: Record<string, unknown>, secrets: Record<string, unknown>) => {
    const response = await h.api('POST', '/v1/integrations', { key: key(), body: { provider, settings, secrets } });
    if (response.status !== 201) throw new Error(`install ${provider}: ${response.status} ${response.text}`);
    return response.body as { id: string; state: string; installation: { inboundWebhookUrl: string } };
  };
  const inbox = (integrationId: string) =>
    h.db.selectFrom('inbox').selectAll().where('integration_id', '=', integrationId).orderBy('id').execute();
  /** Waits until `count` inbox rows exist and none is pending. */
  const settled = (integrationId: string, count: number) =>
    waitFor(async () => {
      const rows = await inbox(integrationId);
      return rows.length >= count && rows.every((row) => row.status !== 'pending') && rows;
    }, `${count} settled inbox rows of ${integrationId}`);
  const conversions = (integrationId: string) =>
    h.db.selectFrom('conversions').selectAll().where('integration_id', '=', integrationId).orderBy('occurred_at').orderBy('id').execute();
  const customers = (integrationId: string) =>
    h.db.selectFrom('customers').selectAll().where('integration_id', '=', integrationId).orderBy('external_id').execute();
  const state = async (integrationId: string) =>
    (await h.db.selectFrom('integrations').select('state').where('id', '=', integrationId).executeTakeFirstOrThrow()).state;
  return { install, inbox, settled, conversions, customers, state };
}

/**
 * Makes the database refuse `action` on `table` for the rows matching `when` (a condition on NEW), with
 * `message`, until the returned function removes the trigger.
 */
async function refuseRows(db: Db, name: string, target: { action: 'INSERT' | 'UPDATE'; table: string; when: RawBuilder<unknown> }, message: string): Promise<() => Promise<void>> {
  const fn = sql.id(name);
  await sql`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF ${target.when} THEN RAISE EXCEPTION ${sql.lit(message)}; END IF; RETURN NEW; END $$`.execute(db);
  await sql`CREATE TRIGGER ${fn} BEFORE ${sql.raw(target.action)} ON ${sql.id(target.table)} FOR EACH ROW EXECUTE FUNCTION ${fn}()`.execute(db);
  return async () => {
    await sql`DROP TRIGGER ${fn} ON ${sql.id(target.table)}`.execute(db);
    await sql`DROP FUNCTION ${fn}()`.execute(db);
  };
}

/**
 * Makes every insert of the conversion `externalId` fail in the database — standing in for any event whose
 * apply fails (a constraint, a bad value) — until the returned function removes the trigger.
 */
export function refuseConversion(db: Db, name: string, externalId: string, message: string): Promise<() => Promise<void>> {
  return refuseRows(db, name, { action: 'INSERT', table: 'conversions', when: sql`NEW.external_id = ${sql.lit(externalId)}` }, message);
}

/**
 * Makes the database refuse to mark any inbox row of `integrationId` handled — standing in for a database
 * that fails every drain of that integration (a full disk, a lost grant) — until the returned function
 * removes the trigger. The drain activity fails and is retried by Temporal.
 */
export function refuseDrains(db: Db, name: string, integrationId: string, message: string): Promise<() => Promise<void>> {
  return refuseRows(db, name, { action: 'UPDATE', table: 'inbox', when: sql`NEW.integration_id = ${sql.lit(integrationId)} AND NEW.status <> 'pending'` }, message);
}
