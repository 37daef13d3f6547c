import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkUrlShape, DestinationRefusedError, guardedLookup } from '../../lib/ssrf';
import type { DeliveryOutcome, DeliveryResult } from '../types';
import { MASK } from '../../lib/mask';

const USER_AGENT = 'Linquid-Webhooks/1.0';
const SNIPPET_BYTES = 1024;

/** Statuses a sender should retry although they are 4xx (Standard Webhooks / RFC 9110 semantics). */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

export function outcomeOf(statusCode: number): DeliveryOutcome {
  if (statusCode >= 200 && statusCode < 300) return 'success';
  if (statusCode === 410) return 'gone';
  if (statusCode >= 400 && statusCode < 500 && !RETRYABLE_4XX.has(statusCode)) return 'rejected';
  return 'retry';
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms from now. */
export function retryAfterMs(header: string | undefined | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** A delivery that got no answer: refused or misconfigured (`rejected`), or a network failure (`retry`). */
export function notSent(error: string, outcome: DeliveryOutcome = 'rejected', requestHeaders: Record<string, string> = {}): DeliveryResult {
  return { outcome, statusCode: null, responseBodySnippet: null, requestHeaders, error };
}

export function maskHeaders(headers: Record<string, string>, secret: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, secret.includes(name.toLowerCase()) ? MASK : value]));
}

/** The first KB as text (NULs dropped: PostgreSQL text refuses them). */
export function snippet(body: Buffer | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return bytes.subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\0/g, '');
}

interface JsonPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateDestinations: boolean;
  /** Lower-case names of headers whose values are masked in the attempt log. */
  secretHeaders: readonly string[];
  /** Aborts the request; it then fails with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * POSTs JSON once (no redirects, no retries: Temporal retries) within `timeoutMs`. Private and
 * loopback destinations are refused, by URL and again at connect time on the resolved address.
 */
export async function postJson(post: JsonPost): Promise<DeliveryResult> {
  const headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...post.headers };
  const requestHeaders = maskHeaders(headers, post.secretHeaders);
  try {
    const url = checkUrlShape(post.url, post.allowPrivateDestinations);
    const response = await send(url, headers, post);
    return {
      outcome: outcomeOf(response.statusCode),
      statusCode: response.statusCode,
      responseBodySnippet: response.body,
      requestHeaders,
      retryAfterMs: retryAfterMs(response.retryAfter),
      ...(response.statusCode >= 300 ? { error: `HTTP ${response.statusCode}` } : {}),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return error instanceof DestinationRefusedError
      ? notSent(`destination refused: ${message}`, 'rejected', requestHeaders)
      : notSent(message, 'retry', requestHeaders);
  }
}

interface RawResponse {
  statusCode: number;
  body: string;
  retryAfter: string | undefined;
}

function send(url: URL, headers: Record<string, string>, post: JsonPost): Promise<RawResponse> {
  const timeout = new AbortController();
  const signal = post.signal ? AbortSignal.any([timeout.signal, post.signal]) : timeout.signal;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answer: IncomingMessage | undefined;
    // On a busy event loop the timer can run before an answer already waiting in the socket is read: it
    // looks again after the loop's I/O phase, and keeps an answer that has begun to arrive (the first KB read so far).
    const timer = setTimeout(() => setImmediate(() => (answer ? answer.destroy() : timeout.abort())), post.timeoutMs);
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(post.body)) },
        signal,
        ...(post.allowPrivateDestinations ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        answer = response;
        void readSnippet(response).then((body) => {
          clearTimeout(timer);
          resolve({ statusCode: response.statusCode ?? 0, body, retryAfter: response.headers['retry-after'] });
        });
      },
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      if (timeout.signal.aborted) reject(new Error(`timed out after ${post.timeoutMs} ms`));
      else if (post.signal?.aborted) reject(post.signal.reason instanceof Error ? post.signal.reason : new Error('cancelled'));
      else reject(unwrap(error));
    });
    req.end(post.body);
  });
}

/** Reads at most the first KB, then lets the rest go. */
function readSnippet(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    // The cap, `end`, `error` and `close` may each come: the snippet is made once.
    const done = () => {
      if (finished) return;
      finished = true;
      resolve(snippet(Buffer.concat(chunks)));
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= SNIPPET_BYTES) {
        response.destroy();
        done();
      }
    });
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

/** A refusal from `guardedLookup` surfaces wrapped by the socket layer. */
function unwrap(error: Error): Error {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof DestinationRefusedError ? cause : error;
}
