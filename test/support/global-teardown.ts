import { dropDatabase } from '../../db';
import { testState } from './state';

/** Stops the dev server and drops the run's database. */
export default async function globalTeardown(): Promise<void> {
  await testState.server?.stop();
  if (testState.databaseUrl) await dropDatabase(testState.databaseUrl);
}
