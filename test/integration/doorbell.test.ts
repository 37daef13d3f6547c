import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { integrationWorkflowId } from '../../contract/search-attributes';
import type { Db } from '../../db';
import { doorbellRinger } from '../../services/doorbell';
import { waitFor } from '../support/harness';
import { openOwnDatabase } from '../support/own-database';

/** The accept path's doorbell: one flip at a time, and a signal that hangs holds back nobody's ring. */
describe('the doorbell ringer', () => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openOwnDatabase('doorbell'));
    await sql`INSERT INTO workspaces (id, name) VALUES ('ws_doorbell', 'doorbell')`.execute(db);
    for (const id of ['int_slow', 'int_quick']) {
      await sql`INSERT INTO integrations (id, workspace_id, provider, state, settings, installed_by, state_changed_at, state_changed_by, updated_at)
        VALUES (${id}, 'ws_doorbell', 'stripe', 'active', '{}', 'test', now(), 'test', now())`.execute(db);
    }
  });
  afterAll(() => close());

  const doorbells = async () => Object.fromEntries((await db.selectFrom('integrations').select(['id', 'doorbell']).orderBy('id').execute()).map((row) => [row.id, row.doorbell]));

  it('flips and signals another integration while one integration’s signal hangs', async () => {
    // Temporal as the ringer sees it: the signal to int_slow's workflow is taken only when released.
    let release = () => {};
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const asked: string[] = [];
    const signalled: string[] = [];
    const temporal = {
      connection: { withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call() },
      workflow: {
        getHandle: (workflowId: string) => ({
          signal: async () => {
            asked.push(workflowId);
            if (workflowId === integrationWorkflowId('int_slow')) await hanging;
            signalled.push(workflowId);
          },
        }),
      },
    } as unknown as Client;
    const ring = doorbellRinger(db, temporal);
    try {
      const slow = ring('int_slow');
      await waitFor(() => asked.includes(integrationWorkflowId('int_slow')), 'the signal to int_slow sent');
      const quick = ring('int_quick');
      await waitFor(() => signalled.includes(integrationWorkflowId('int_quick')), 'int_quick signalled while int_slow’s signal hangs', 30_000);
      // Both rings resolved with their doorbell set (what the replay route answers after), int_slow's signal still unanswered.
      await Promise.all([slow, quick]);
      expect(await doorbells()).toEqual({ int_quick: true, int_slow: true });
      expect(signalled).toEqual([integrationWorkflowId('int_quick')]);
    } finally {
      release();
    }
    await waitFor(() => signalled.length === 2, 'int_slow signalled once released');
    // A doorbell already set is not signalled again.
    await ring('int_slow');
    expect(asked).toEqual([integrationWorkflowId('int_slow'), integrationWorkflowId('int_quick')]);
  });
});
