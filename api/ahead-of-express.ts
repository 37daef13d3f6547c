import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorAnswer } from './errors';

/**
 * The hot paths (provider webhooks, `POST /v1/events`) are `node:http` handlers tried before the Express
 * app (api/app.ts): Express's router and response helpers were a tenth of their cost. These are the
 * parts they share with the app, so their answers are the app's.
 */

/** Takes the request (and answers it) or leaves it to the next handler. */
export type EndpointAheadOfExpress = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A JSON answer as Express's `res.json` writes it, without the ETag nobody revalidates a POST with. */
export function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** What the Express error handler would answer for `error` (errorAnswer), `Retry-After` included. */
export function answerFailure(res: ServerResponse, error: unknown, method: string, path: string): void {
  const failed = errorAnswer(error, method, path);
  answer(res, failed.status, failed.body, failed.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failed.retryAfterSeconds) });
}

type BodyParser = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The body as an Express body parser (`express.raw`, `express.json`) reads it: its size limit (413),
 * encodings (415), malformed JSON (400), nothing when there is no body or another content type.
 */
export function bodyReader<Body>(parser: unknown): (req: IncomingMessage, res: ServerResponse) => Promise<Body | undefined> {
  const parse = parser as BodyParser;
  return (req, res) => new Promise((read, failed) => parse(req, res, (error) => (error ? failed(error) : read((req as { body?: Body }).body))));
}
