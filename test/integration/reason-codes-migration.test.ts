import { Migrator, sql } from 'kysely';
import { createDb, type Db, dropDatabase, ensureDatabase, migrateToLatest } from '../../db';
import { migrations } from '../../db/migrations';
import { ownDatabaseUrl } from '../support/own-database';

/** Integrations put in `error` or disconnected before reason codes existed get the code their reason text was read as. */
describe('migration 016_reason_codes', () => {
  const databaseUrl = ownDatabaseUrl('reasons');
  let db: Db;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    db = createDb(databaseUrl, 1);
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo('015_destination_gone');
    if (error) throw error;
  });
  afterAll(async () => {
    await db.destroy();
    await dropDatabase(databaseUrl);
  });

  it('codes the reasons diagnostics used to parse, and only those', async () => {
    const rows: Array<[id: string, state: string, reason: string | null, action: string]> = [
      ['int_expired', 'error', 'credentials_expired: Stripe refused the stored credentials', 'fail'],
      ['int_mapping', 'error', 'invalid_mapping: settings.closedWonStageId: no such stage', 'fail'],
      ['int_failing', 'error', '20 consecutive delivery failures (last: HTTP 503)', 'fail'],
      ['int_gone', 'disconnected', 'the destination answered 410 Gone', 'disconnect'],
      ['int_operator', 'error', 'set to error by hand', 'fail'],
      ['int_paused', 'paused', 'stop delivering for now', 'pause'],
      ['int_silent', 'error', null, 'fail'],
    ];
    await sql`INSERT INTO workspaces (id, name) VALUES ('ws_reasons', 'reasons')`.execute(db);
    for (const [id, state, reason, action] of rows) {
      await sql`INSERT INTO integrations (id, workspace_id, provider, state, settings, installed_by, state_changed_at, state_changed_by, state_reason, updated_at)
        VALUES (${id}, 'ws_reasons', 'webhook', ${state}, '{}', 'test', now(), 'test', ${reason}, now())`.execute(db);
      await sql`INSERT INTO integration_transitions (integration_id, workspace_id, action, from_state, to_state, actor, reason, occurred_at, request_id)
        VALUES (${id}, 'ws_reasons', ${action}, 'active', ${state}, 'test', ${reason}, now(), 'r1')`.execute(db);
    }

    await migrateToLatest(db);

    const integrations = await db.selectFrom('integrations').select(['id', 'state_reason_code']).orderBy('id').execute();
    const transitions = await db.selectFrom('integration_transitions').select(['integration_id', 'reason_code']).orderBy('integration_id').execute();
    const expected = {
      int_expired: 'credentials_expired',
      int_failing: 'delivery_failures',
      int_gone: 'destination_gone',
      int_mapping: 'invalid_mapping',
      int_operator: null,
      int_paused: null,
      int_silent: null,
    };
    expect(Object.fromEntries(integrations.map((row) => [row.id, row.state_reason_code]))).toEqual(expected);
    expect(Object.fromEntries(transitions.map((row) => [row.integration_id, row.reason_code]))).toEqual(expected);
  });
});
