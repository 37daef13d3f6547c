import type { Pool, PoolClient, PoolConfig } from 'pg';
import { logger } from '../lib/logger';

/** How long a connection may take to open, and a statement to run (0 or absent: no limit). */
export interface DbTimeouts {
  connectMs: number;
  queryMs?: number;
}

/**
 * The server cancels a statement at `queryMs` (the connection stays usable); the client gives up this much
 * later, when the server has not even said that: the link or the server is stalled.
 */
const SILENT_SERVER_GRACE_MS = 1000;
/** pg's message for `query_timeout` (it has no code). */
const QUERY_READ_TIMEOUT = 'Query read timeout';

export function timeoutOptions({ connectMs, queryMs }: DbTimeouts): PoolConfig {
  return {
    connectionTimeoutMillis: connectMs,
    ...(queryMs ? { statement_timeout: queryMs, query_timeout: queryMs + SILENT_SERVER_GRACE_MS } : {}),
  };
}

/** Connection-level failures: the network or the server process, never the statement. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * SQLSTATE: class 08 (connection exception), 57P01–57P03 (admin / crash shutdown, cannot connect now),
 * 53300 (too many connections), 57014 (statement timeout or cancel: the server is too busy to answer in time).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;
/** pg's own errors carry no code: a connection that ended, could not open in time, or went silent. */
const PG_CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed)/;

/** True when `error` says PostgreSQL could not be reached or dropped the session: worth trying again later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (typeof message === 'string' && PG_CONNECTION_MESSAGE.test(message)) return true;
  // A host name with several addresses fails with one error per address.
  return error instanceof AggregateError && error.errors.some(isDatabaseUnavailable);
}

/**
 * A pool that survives its server going away. pg emits a lost connection as an `error` event, which kills
 * the process when nobody listens: on the pool for an idle connection, on the client for one checked out
 * (whose query is also rejected, so the caller hears of it). And a query that timed out leaves its
 * connection waiting for an answer: it is closed, so the pool opens a fresh one instead of handing it out.
 */
export function surviveConnectionFaults(pool: Pool): void {
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost; the pool opens a new one when needed'));
  pool.on('connect', (client: PoolClient) => {
    client.on('error', (error) => logger.debug({ err: error }, 'database connection lost while in use'));
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (!(result instanceof Promise)) return result; // callbacks and submittables: not ours to watch
      return result.catch((error: unknown) => {
        if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) void client.end().catch(() => undefined);
        throw error;
      });
    }) as PoolClient['query'];
  });
}
