import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { type Percentiles, percentiles, perSecond, sleep } from './stats';

/** A request built (and signed) before the timed window, so the generator only sends bytes. */
export interface PreparedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  /** 2xx answers. */
  ok: number;
  /** Anything else: non-2xx answers and transport errors, by status ("error" for the latter). */
  errors: Record<string, number>;
  durationMs: number;
  /** Requests over the whole run, answers included. */
  requestsPerSecond: number;
  /** Requests over the time it took to send them: the rate actually offered (an open loop's target, if it kept up). */
  sentPerSecond: number;
  /** Milliseconds; in an open-loop run measured from when the request was due, so queueing counts. */
  latencyMs: Percentiles;
}

/** Upper bound on sockets of an open-loop run: past it, requests wait in the pool and that wait is latency too. */
const OPEN_LOOP_CONNECTIONS = 256;

function runner(origin: string, requests: PreparedRequest[], connections: number) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const latencies = new Float64Array(requests.length);
  const errors: Record<string, number> = {};
  let ok = 0;
  let lastSentAt = 0;
  const send = async (index: number, dueAt: number): Promise<void> => {
    const { path, body, headers } = requests[index];
    lastSentAt = performance.now();
    try {
      const response = await pool.request({ method: 'POST', path, body, headers });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) ok += 1;
      else errors[response.statusCode] = (errors[response.statusCode] ?? 0) + 1;
    } catch {
      errors.error = (errors.error ?? 0) + 1;
    }
    latencies[index] = performance.now() - dueAt;
  };
  const finish = async (startedAt: number): Promise<LoadResult> => {
    const durationMs = performance.now() - startedAt;
    await pool.close();
    return {
      requests: requests.length,
      ok,
      errors,
      durationMs: Math.round(durationMs),
      requestsPerSecond: perSecond(requests.length, durationMs),
      // The first request goes out at 0: n requests span n - 1 intervals.
      sentPerSecond: perSecond(Math.max(0, requests.length - 1), lastSentAt - startedAt),
      latencyMs: percentiles(latencies),
    };
  };
  return { send, finish };
}

/** `concurrency` clients, each sending its next request as soon as the previous one is answered. */
export async function closedLoop(origin: string, requests: PreparedRequest[], concurrency: number): Promise<LoadResult> {
  const { send, finish } = runner(origin, requests, concurrency);
  let next = 0;
  const startedAt = performance.now();
  const client = async () => {
    for (let index = next++; index < requests.length; index = next++) await send(index, performance.now());
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, client));
  return finish(startedAt);
}

/** Requests at a fixed rate whatever the answers take (open loop): what a provider's retries look like from here. */
export async function openLoop(origin: string, requests: PreparedRequest[], perSecondRate: number): Promise<LoadResult> {
  const { send, finish } = runner(origin, requests, OPEN_LOOP_CONNECTIONS);
  const intervalMs = 1000 / perSecondRate;
  const inFlight: Array<Promise<void>> = [];
  const startedAt = performance.now();
  for (let next = 0; next < requests.length; ) {
    const due = Math.min(requests.length, Math.floor((performance.now() - startedAt) / intervalMs) + 1);
    for (; next < due; next++) inFlight.push(send(next, startedAt + next * intervalMs));
    await sleep(2);
  }
  await Promise.all(inFlight);
  return finish(startedAt);
}
