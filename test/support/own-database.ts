import { randomBytes } from 'node:crypto';
import { createDb, type Db, dropDatabase, ensureDatabase, migrateToLatest } from '../../db';

/** A database of a test file's own beside the suite's (`<suite's>_<tag>_<random>`), for work that must not see other files' rows. */
export function ownDatabaseUrl(tag: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_${tag}_${randomBytes(3).toString('hex')}`;
  return url.toString();
}

/** Creates an own database migrated to the latest schema; `close` drops it. */
export async function openOwnDatabase(tag: string, poolSize = 1): Promise<{ db: Db; close: () => Promise<void> }> {
  const url = ownDatabaseUrl(tag);
  await ensureDatabase(url);
  const db = createDb(url, poolSize);
  await migrateToLatest(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await dropDatabase(url);
    },
  };
}
