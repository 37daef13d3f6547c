import type { ErrorRequestHandler } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db';
import { logger } from '../lib/logger';
import { REQUEST_REJECTED } from '../contract/lifecycle';

export interface FieldIssue {
  path: string;
  message: string;
  /** The values that would be accepted, when the provider account says (e.g. its deal stage ids). */
  allowed?: string[];
}

/** An error with the HTTP answer it deserves; anything else is a 500 with no details leaked. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: FieldIssue[],
    /** Sent as `Retry-After` (seconds): when trying again is worth it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** What a caller (a provider re-sending a webhook) is told to wait while PostgreSQL is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;
/** One log line per window while the database is unreachable, however many requests it fails. */
const UNAVAILABLE_LOG_WINDOW_MS = 10_000;
let lastUnavailableLog = 0;

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'illegal_transition', message);

export function zodIssues(error: ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

export function invalid(issues: FieldIssue[]): HttpError {
  return new HttpError(400, 'invalid_request', issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues);
}

/**
 * A lifecycle update the workflow refused: illegal in the state it found (409), or holding data the
 * system of record refused — input that slipped past validation, e.g. sent by an operator (422).
 */
function refusedUpdate(error: unknown): HttpError | undefined {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return undefined;
  if (error.cause.type === 'IllegalTransition') return conflict(error.cause.message);
  if (error.cause.type === REQUEST_REJECTED) return new HttpError(422, 'request_rejected', error.cause.message);
  return undefined;
}

/** What a failed request is answered: its status, the shared error body, and `Retry-After` when worth it. */
export interface ErrorAnswer {
  status: number;
  body: { error: { code: string; message: string; issues?: FieldIssue[] } };
  retryAfterSeconds?: number;
}

/** The answer to any error a handler threw; one the API did not foresee is logged and is a 500 with no details. */
export function errorAnswer(error: unknown, method: string, path: string): ErrorAnswer {
  const httpError =
    error instanceof HttpError
      ? error
      : error instanceof ZodError
        ? invalid(zodIssues(error))
        : (refusedUpdate(error) ?? (isDatabaseUnavailable(error) ? databaseUnavailable(error, method, path) : bodyParserError(error as { type?: string; limit?: number })));
  if (httpError) {
    return { status: httpError.status, body: { error: { code: httpError.code, message: httpError.message, issues: httpError.issues } }, retryAfterSeconds: httpError.retryAfterSeconds };
  }
  logger.error({ err: error, method, path }, 'unhandled error');
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const answer = errorAnswer(error, req.method, req.path);
  if (answer.retryAfterSeconds !== undefined) res.set('Retry-After', String(answer.retryAfterSeconds));
  res.status(answer.status).json(answer.body);
};

/** A 503 with `Retry-After`, never a 500: the request failed for want of the database, not for what it asked. */
function databaseUnavailable(error: unknown, method: string, path: string): HttpError {
  const now = Date.now();
  if (now - lastUnavailableLog >= UNAVAILABLE_LOG_WINDOW_MS) {
    lastUnavailableLog = now;
    logger.warn({ err: error, method, path }, 'database unreachable: answering 503 (further ones in the next 10 s are not logged)');
  }
  return new HttpError(503, 'database_unavailable', 'the database is unreachable; try again later', undefined, DATABASE_RETRY_AFTER_SECONDS);
}

function bodyParserError(error: { type?: string; limit?: number }): HttpError | undefined {
  if (error.type === 'entity.too.large') return new HttpError(413, 'payload_too_large', `body exceeds the ${error.limit} byte limit`);
  if (error.type === 'entity.parse.failed') return new HttpError(400, 'malformed_json', 'body is not valid JSON');
  // The client stopped sending before the body it announced was whole (the connection ended, or the body
  // was shorter than its Content-Length): its fault, not ours, and usually nobody is left to read the answer.
  if (error.type === 'request.aborted' || error.type === 'request.size.invalid') {
    return new HttpError(400, 'incomplete_body', 'the request body ended before the length it announced');
  }
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_encoding', 'unsupported content encoding or charset');
  }
  return undefined;
}
