import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { createDb, type Db, dropDatabase, ensureDatabase, migrateToLatest } from '../db';
import { connectTemporal } from '../services/runtime';
import { INSTALL_HINT, provisionTemporalCli } from '../lib/temporal-cli';
import { type DevServer, freePort, startDevServer } from '../lib/temporal-server';
import { waitFor } from '../test/support/harness';
import { type CpuSnapshot, cpuReader } from './cpu';

export interface ServiceOptions {
  /** An existing Temporal server; otherwise an in-memory, headless dev server is started and stopped. */
  temporalAddress?: string;
  /** An existing database, used as is; otherwise a throwaway `linquid_bench_*` on `databaseServer`, dropped at the end. */
  databaseUrl?: string;
  databaseServer?: string;
  /** The children's logs (`api.log`, `worker.log`) and, with `profile`, their CPU profiles. */
  outputDir: string;
  profile?: boolean;
  /** Service settings on top of this process's environment (e.g. the retry schedule). */
  env?: Record<string, string>;
  log: (line: string) => void;
}

export interface Service {
  apiUrl: string;
  /** The harness's own small pool: setup, counting, lag queries. */
  db: Db;
  databaseUrl: string;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  pids: { api: number; worker: number; temporal?: number };
  /** CPU time so far of the API, the worker, our Temporal dev server, our database's backends and this process. */
  cpu: () => CpuSnapshot;
  versions: { temporalCli?: string; temporalServer: string; postgres: string };
  /**
   * Runs `work` with the worker process stopped (SIGSTOP, then SIGCONT): nothing is applied meanwhile, and
   * what arrives waits in the inbox and in Temporal's task queues. Keep it short: a drain activity in flight
   * misses its heartbeats after 10 s and is retried.
   */
  withWorkerPaused<T>(work: () => Promise<T>): Promise<T>;
  /** Throws when the API or the worker has exited: a phase waiting on them would only time out. */
  assertRunning(): void;
  stop(): Promise<void>;
}

const DEFAULT_DATABASE_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const STARTUP_TIMEOUT_MS = 180_000;

async function provisionTemporal(options: ServiceOptions): Promise<{ address: string; server?: DevServer; cliVersion?: string }> {
  if (options.temporalAddress) return { address: options.temporalAddress };
  const cliPath = await provisionTemporalCli(options.log);
  if (!cliPath) throw new Error(INSTALL_HINT);
  const server = await startDevServer({ cliPath });
  const cliVersion = spawnSync(cliPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { address: server.address, server, cliVersion };
}

function provisionDatabase(options: ServiceOptions): { url: string; throwaway: boolean } {
  if (options.databaseUrl) return { url: options.databaseUrl, throwaway: false };
  const url = new URL(options.databaseServer ?? DEFAULT_DATABASE_SERVER);
  url.pathname = `/linquid_bench_${Date.now()}_${process.pid}`;
  return { url: url.toString(), throwaway: true };
}

/** As the Dockerfile runs the service: a smaller young generation (V8's default lets each process grow ~20 MB more under load). */
const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=1024';

/** `node dist/<role>/main.js` with its output in `<role>.log`; its exit is remembered for `assertRunning`. */
function startChild(role: 'api' | 'worker', env: NodeJS.ProcessEnv, options: ServiceOptions, exits: Map<string, number | string>): ChildProcess {
  // A directory per role, not a file name: each thread (the worker's workflow thread too) writes a profile of its own.
  const profiling = options.profile ? ['--cpu-prof', '--cpu-prof-dir', join(options.outputDir, 'profiles', role)] : [];
  const args = [...profiling, '--require', require.resolve('./exit-on-signal'), require.resolve(`../${role}/main`)];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(options.outputDir, `${role}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once('exit', (code, signal) => exits.set(role, code ?? signal ?? 'unknown'));
  return child;
}

async function hasPollers(connection: Connection, namespace: string, taskQueue: string): Promise<boolean> {
  const types = [1, 2]; // TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY
  const answers = await Promise.all(
    types.map((taskQueueType) => connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType })),
  );
  return answers.every((answer) => (answer.pollers ?? []).length > 0);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The service as it runs in production: the API and the worker as separate processes (so their memory
 * can be measured), against a Temporal server and a PostgreSQL database, on a task queue of their own.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  mkdirSync(join(options.outputDir, options.profile ? 'profiles' : ''), { recursive: true });
  // Undone in reverse order by `stop`, also when starting fails halfway.
  const undo: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const temporalSetup = await provisionTemporal(options);
    if (temporalSetup.server) undo.push(() => temporalSetup.server!.stop());
    const database = provisionDatabase(options);
    options.log(`[bench] Temporal ${temporalSetup.server ? 'dev server (in memory)' : 'server'} at ${temporalSetup.address}; database ${new URL(database.url).pathname.slice(1)}${database.throwaway ? ' (throwaway)' : ''}`);
    await ensureDatabase(database.url);
    if (database.throwaway) undo.push(() => dropDatabase(database.url));
    const db = createDb(database.url, 4);
    undo.push(() => db.destroy());
    // Migrated once here, so the two children do not race to migrate a fresh database.
    await migrateToLatest(db);
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    const { client: temporal, connection } = await connectTemporal(temporalSetup.address, namespace);
    undo.push(() => connection.close());

    const port = await freePort();
    const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, SERVICE_NODE_OPTIONS].filter(Boolean).join(' '),
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalSetup.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LINQUID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ALLOW_PRIVATE_DESTINATIONS: 'true',
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const exits = new Map<string, number | string>();
    const api = startChild('api', env, options, exits);
    const worker = startChild('worker', env, options, exits);
    undo.push(() => Promise.all([stopChild(api), stopChild(worker)]).then(() => undefined));
    const assertRunning = () => {
      for (const [role, code] of exits) throw new Error(`the ${role} process exited (${code}); see ${join(options.outputDir, `${role}.log`)}`);
    };
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => {
      assertRunning();
      const ready = await fetch(`${apiUrl}/readyz`).then((response) => response.ok, () => false);
      return ready && (await hasPollers(connection, namespace, taskQueue));
    }, 'the API to be ready and the worker to poll its task queue', STARTUP_TIMEOUT_MS);

    const { serverVersion } = await connection.workflowService.getSystemInfo({});
    const pids = { api: api.pid!, worker: worker.pid!, temporal: temporalSetup.server?.process.pid };
    const databaseName = new URL(database.url).pathname.slice(1);
    const cpu = cpuReader(pids, databaseName);
    undo.push(async () => cpu.stop());
    const postgres = await sql<{ server_version: string }>`show server_version`.execute(db);
    return {
      apiUrl,
      db,
      databaseUrl: database.url,
      temporal,
      namespace,
      taskQueue,
      pids,
      cpu: cpu.read,
      withWorkerPaused: async (work) => {
        worker.kill('SIGSTOP');
        try {
          return await work();
        } finally {
          worker.kill('SIGCONT');
        }
      },
      versions: { temporalCli: temporalSetup.cliVersion, temporalServer: serverVersion ?? 'unknown', postgres: postgres.rows[0].server_version },
      assertRunning,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
