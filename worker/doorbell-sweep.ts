import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db';
import { signalNewWork } from '../services/doorbell';
import type { BackgroundWork } from '../lib/background';
import { logger } from '../lib/logger';

/**
 * Safety net for a doorbell signal lost between the inbox insert and Temporal (process crash,
 * Temporal briefly down): integrations with inbox rows waiting longer than one sweep get signalled.
 * Any number of workers may run it; an extra signal only triggers an empty drain. Runs as `background` work:
 * stopping it ends the sweeps.
 */
export function startDoorbellSweep(background: BackgroundWork, db: Db, temporal: Client, intervalMs: number): void {
  const sweep = async () => {
    const waiting = await db
      .selectFrom('inbox')
      .innerJoin('integrations', 'integrations.id', 'inbox.integration_id')
      .select(['inbox.integration_id', sql<Date>`min(inbox.received_at)`.as('oldest')])
      .where('inbox.status', '=', 'pending')
      .where('integrations.state', '!=', 'disconnected')
      .groupBy('inbox.integration_id')
      .execute();
    const staleBefore = Date.now() - intervalMs;
    for (const row of waiting) {
      if (new Date(row.oldest).getTime() < staleBefore) await signalNewWork(temporal, row.integration_id);
    }
  };
  background.every(intervalMs, () => sweep().catch((error: unknown) => logger.warn({ err: error }, 'doorbell sweep failed')));
}
