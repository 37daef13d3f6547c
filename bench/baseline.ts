import { fork } from 'node:child_process';
import { sql } from 'kysely';
import { closedLoop, type LoadResult } from './load';
import type { Service } from './service';
import { STRIPE_SECRET, stripeWebhooks } from './webhooks';

export interface Baseline {
  pid: number;
  /** `requests` signed webhooks at `concurrency` against the baseline endpoint. */
  run(tag: string, requests: number, concurrency: number): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Starts the baseline endpoint (bench/baseline-server) in its own process, with its table in the bench database. */
export async function startBaseline(service: Service): Promise<Baseline> {
  await sql`DROP TABLE IF EXISTS bench_baseline`.execute(service.db);
  await sql`CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`.execute(service.db);
  const child = fork(require.resolve('./baseline-server'), [], {
    env: { ...process.env, DATABASE_URL: service.databaseUrl, BASELINE_SECRET: STRIPE_SECRET },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((ready, failed) => {
    child.once('message', (message: { port: number }) => ready(message.port));
    child.once('exit', (code) => failed(new Error(`the baseline server exited with ${code}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    run: (tag, requests, concurrency) => closedLoop(origin, stripeWebhooks(tag, requests, ['baseline'], { pathOf: () => '/' }), concurrency),
    stop: async () => {
      await new Promise<void>((gone) => {
        child.once('exit', () => gone());
        child.kill('SIGTERM');
      });
      await sql`DROP TABLE IF EXISTS bench_baseline`.execute(service.db);
    },
  };
}
