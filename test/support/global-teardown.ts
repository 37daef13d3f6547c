import { Client } from 'pg';
import { testState } from './state';

/** Stops the dev server and drops the run's database. */
export default async function globalTeardown(): Promise<void> {
  await testState.server?.stop();
  if (!testState.databaseUrl) return;
  const url = new URL(testState.databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
