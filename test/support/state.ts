import type { DevServer } from '../../lib/temporal-server';

interface TestState {
  server?: DevServer;
  databaseUrl?: string;
}

/** Shared between global setup and teardown (same process, possibly different module registries). */
const holder = globalThis as { __linquidTestState?: TestState };
export const testState: TestState = (holder.__linquidTestState ??= {});
