import { type RawBuilder, sql } from 'kysely';
import type { RetentionPolicy, RetentionTable } from '../../contract/retention';
import type { Db } from '..';

/** Deletes the next batch of one table's expired rows: how many went, and whether the table is done for this run. */
export type DeleteBatch = () => Promise<{ deleted: number; done: boolean }>;

/**
 * Every batch is one short statement (its own transaction) that locks the rows it deletes with SKIP
 * LOCKED, so it never waits for the accept path, a drain or a replay; a webhook redelivering a row being
 * deleted waits for that one statement and is then stored as new. Tables with a bigserial id are walked
 * along their primary key, `batchSize` rows at a time, and the walk ends at the first batch with no row
 * older than the window (ids grow with time): a run reads each expired row once plus one batch of young
 * ones, so no index is added to the hot inserts.
 */
export async function expiredRows(db: Db, table: RetentionTable, policy: RetentionPolicy): Promise<DeleteBatch> {
  const size = policy.batchSize;
  switch (table) {
    case 'inbox': {
      const cutoff = await cutoffFor(db, policy.inboxDays);
      // Pending rows wait for their drain, except a disconnected integration's: nothing will ever drain them.
      return alongId(db, { table: 'inbox', time: 'received_at', cutoff, size }, (range) => sql`
        SELECT id FROM inbox
        WHERE id IN (SELECT id FROM ${range})
          AND greatest(received_at, processed_at, last_duplicate_at, requeued_at) < ${cutoff}
          AND (status <> 'pending' OR EXISTS (
            SELECT 1 FROM integrations i WHERE i.id = inbox.integration_id AND i.state = 'disconnected' AND i.state_changed_at < ${cutoff}))
        FOR UPDATE SKIP LOCKED`);
    }
    case 'delivery_attempts': {
      const cutoff = await cutoffFor(db, policy.deliveryAttemptsDays);
      // A delivery in flight keeps its attempts, unless its destination is long disconnected.
      return alongId(db, { table: 'delivery_attempts', time: 'started_at', cutoff, size }, (range) => sql`
        SELECT a.id FROM delivery_attempts a
        JOIN deliveries d ON d.id = a.delivery_id
        JOIN integrations i ON i.id = d.integration_id
        WHERE a.id IN (SELECT id FROM ${range}) AND a.started_at < ${cutoff}
          AND (d.status NOT IN ('pending', 'delivering') OR (i.state = 'disconnected' AND i.state_changed_at < ${cutoff}))
        FOR UPDATE OF a SKIP LOCKED`);
    }
    case 'integration_transitions': {
      const cutoff = await cutoffFor(db, policy.transitionsDays);
      return alongId(db, { table: 'integration_transitions', time: 'occurred_at', cutoff, size }, (range) => sql`
        SELECT id FROM integration_transitions WHERE id IN (SELECT id FROM ${range}) AND occurred_at < ${cutoff} FOR UPDATE SKIP LOCKED`);
    }
    case 'signature_failures':
      return expiredSignatureBuckets(db, await cutoffFor(db, policy.signatureFailuresDays), size);
  }
}

/** The database's clock, so that the windows do not depend on the worker's. */
async function cutoffFor(db: Db, days: number): Promise<Date> {
  const { rows } = await sql<{ cutoff: Date }>`SELECT now() - make_interval(days => ${days}) AS cutoff`.execute(db);
  return rows[0].cutoff;
}

interface IdWalk {
  table: 'inbox' | 'delivery_attempts' | 'integration_transitions';
  /** The column the window is measured on; it grows with the id (rows are written as time passes). */
  time: string;
  cutoff: Date;
  size: number;
}

/**
 * Reads the next `size` rows by id (`range`), deletes those `pick` selects from them (re-checked and
 * locked), and moves past the range. A whole range inside the window ends the walk, so one young row
 * out of order does not stop it early.
 */
function alongId(db: Db, walk: IdWalk, pick: (range: RawBuilder<unknown>) => RawBuilder<unknown>): DeleteBatch {
  const table = sql.table(walk.table);
  let after = 0;
  return async () => {
    const { rows } = await sql<{ last: number | null; scanned: number; old: number; deleted: number }>`
      WITH range AS MATERIALIZED (
        SELECT id, ${sql.ref(walk.time)} < ${walk.cutoff} AS old FROM ${table} WHERE id > ${after} ORDER BY id LIMIT ${walk.size}),
      picked AS (${pick(sql.raw('range'))}),
      gone AS (DELETE FROM ${table} WHERE id IN (SELECT id FROM picked) RETURNING id)
      SELECT (SELECT max(id) FROM range) AS last, (SELECT count(*) FROM range)::int AS scanned,
        (SELECT count(*) FROM range WHERE old)::int AS old, (SELECT count(*) FROM gone)::int AS deleted`.execute(db);
    const [batch] = rows;
    if (batch.last !== null) after = batch.last;
    return { deleted: batch.deleted, done: batch.scanned < walk.size || batch.old === 0 };
  };
}

/**
 * Signature-failure buckets have no id: walked along their primary key (integration, minute). The table
 * holds one row per integration and minute with refusals, so it stays small within its window.
 */
function expiredSignatureBuckets(db: Db, cutoff: Date, size: number): DeleteBatch {
  let after: { integrationId: string; bucket: Date } = { integrationId: '', bucket: new Date(0) };
  return async () => {
    const { rows } = await sql<{ deleted: number; integration_id: string | null; bucket: Date | null }>`
      WITH picked AS (
        SELECT integration_id, bucket FROM signature_failures
        WHERE (integration_id, bucket) > (${after.integrationId}, ${after.bucket}::timestamptz) AND bucket < ${cutoff}
        ORDER BY integration_id, bucket LIMIT ${size} FOR UPDATE SKIP LOCKED),
      gone AS (
        DELETE FROM signature_failures s USING picked p
        WHERE s.integration_id = p.integration_id AND s.bucket = p.bucket RETURNING 1),
      last AS (SELECT integration_id, bucket FROM picked ORDER BY integration_id DESC, bucket DESC LIMIT 1)
      SELECT (SELECT count(*)::int FROM gone) AS deleted, last.integration_id, last.bucket FROM (SELECT 1) one LEFT JOIN last ON true`.execute(db);
    const [batch] = rows;
    if (batch.integration_id !== null && batch.bucket !== null) after = { integrationId: batch.integration_id, bucket: batch.bucket };
    return { deleted: batch.deleted, done: batch.deleted < size };
  };
}
