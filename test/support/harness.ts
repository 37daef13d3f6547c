import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { serveApi } from '../../api/app';
import { createDb, type Db } from '../../db';
import { createWorkspace } from '../../db/queries/workspaces';
import type { BackgroundWork } from '../../lib/background';
import { type Config, loadConfig } from '../../lib/config';
import { SecretBox } from '../../lib/crypto';
import { connectTemporal } from '../../services/runtime';
import { createIntegrationWorker } from '../../worker/create-worker';
import { startOutboundSweep } from '../../worker/outbound-sweep';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface Harness {
  url: string;
  /** The API's Express app (for walking its routes). */
  app: Express;
  db: Db;
  box: SecretBox;
  config: Config;
  temporal: Client;
  adminToken: string;
  /** JSON request to the API; `key` is sent as a Bearer token. */
  api<T = any>(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  /** Raw request (webhooks): the body is sent byte for byte. */
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<ApiResponse>;
  newWorkspace(name?: string): Promise<{ workspaceId: string; key: string }>;
  stopWorker(): Promise<void>;
  /** A worker in a child process on this harness's task queue (`env` on top of the harness's); `kill()` is a SIGKILL. */
  forkWorker(env?: Record<string, string>): Promise<{ kill(): Promise<void> }>;
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The service as a test sees it: the real API on an ephemeral port and a real worker, against the
 * run's Temporal dev server and database. Each harness uses its own task queue, so test files
 * running in parallel never pick up each other's workflows.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConfig({ ...process.env, TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`, ...env });
  const db = createDb(config.databaseUrl, 10);
  const box = SecretBox.fromBase64(process.env.LINQUID_ENCRYPTION_KEY!);
  const address = config.temporalAddress!;
  const { client: temporal, connection: clientConnection } = await connectTemporal(address, config.temporalNamespace);

  let running: { worker: Worker; connection: NativeConnection; background: BackgroundWork; done: Promise<void> } | undefined;
  const startWorker = async () => {
    const { worker, connection, background } = await createIntegrationWorker({
      address,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      deps: { db, box, config, temporal },
      workflowBundlePath: process.env.LINQUID_TEST_WORKFLOW_BUNDLE,
    });
    startOutboundSweep(background, { db, temporal, config });
    running = { worker, connection, background, done: worker.run() };
  };
  const stopWorker = async () => {
    if (!running) return;
    running.worker.shutdown();
    await running.done;
    // The sweep and the dispatches the last activities started: a test may destroy the pool next.
    await running.background.stop();
    await running.connection.close();
    running = undefined;
  };
  await startWorker();

  const api = await serveApi({ db, box, config, temporal }, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  config.publicBaseUrl = url;

  const request = async (method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string>): Promise<ApiResponse> => {
    const response = await fetch(`${url}${path}`, { method, body, headers });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the test reads `text`
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };

  return {
    url,
    app: api.app,
    db,
    box,
    config,
    temporal,
    adminToken: config.adminToken,
    api: (method, path, options = {}) =>
      request(method, path, options.body === undefined ? undefined : JSON.stringify(options.body), {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...options.headers,
      }),
    post: (path, body, headers = {}) => request('POST', path, body, { 'content-type': 'application/json', ...headers }),
    newWorkspace: async (name = 'Test workspace') => {
      const created = await createWorkspace(db, name);
      return { workspaceId: created.workspace.id, key: created.apiKey.key };
    },
    stopWorker,
    startWorker,
    forkWorker: async (workerEnv = {}) => {
      const child = fork(require.resolve('./worker-process'), [], {
        env: { ...process.env, ...env, ...workerEnv, TEMPORAL_TASK_QUEUE: config.taskQueue },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      await new Promise<void>((ready, failed) => {
        child.once('message', () => ready());
        child.once('exit', (code) => failed(new Error(`worker process exited with ${code}`)));
      });
      return {
        kill: () =>
          new Promise<void>((gone) => {
            child.once('exit', () => gone());
            child.kill('SIGKILL');
          }),
      };
    },
    stop: async () => {
      await api.close();
      await stopWorker();
      await clientConnection.close();
      await db.destroy();
    },
  };
}

/** Polls until `check` returns a value that is not undefined/false; fails with the last value seen. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 180_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await check();
    if (last !== undefined && last !== false) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
