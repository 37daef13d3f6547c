import type { RequestHandler } from 'express';
import { isStorableText, MAX_JSON_DEPTH } from '../lib/storable';
import { type FieldIssue, HttpError, invalid } from './errors';

/** Keys that reach Object.prototype when assigned; JSON.parse makes them own keys that schemas may skip. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Enough to name what is wrong; a hostile body could hold thousands. */
const MAX_ISSUES = 10;

/**
 * What no field of any request may hold, whatever its schema: characters PostgreSQL cannot store
 * (U+0000, unpaired surrogates), prototype keys, nesting deeper than MAX_JSON_DEPTH. Returns the issues
 * with their paths (`settings.__proto__`, `query.cursor`, `reason`).
 */
export function unsafeInputIssues(value: unknown, prefix: string[] = []): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // One path, pushed and popped as the walk goes: every request is walked, and most have no issue.
  const path = [...prefix];
  const add = (message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ path: path.join('.') || '(body)', message });
  };
  const walk = (node: unknown, depth: number): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (typeof node === 'string') {
      if (!isStorableText(node)) add('contains U+0000 or an unpaired surrogate, which cannot be stored');
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth >= MAX_JSON_DEPTH) return add(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const [key, item] of Object.entries(node)) {
      path.push(key);
      if (PROTOTYPE_KEYS.has(key)) add('a prototype key is not allowed');
      else if (!isStorableText(key)) add('the key contains U+0000 or an unpaired surrogate');
      else walk(item, depth + 1);
      path.pop();
    }
  };
  walk(value, 0);
  return issues;
}

/** The query (and a parsed JSON body) of every API request pass `unsafeInputIssues`, or the request is a 400. */
export const refuseUnsafeInput: RequestHandler = (req, _res, next) => {
  const issues = [...unsafeInputIssues(req.query, ['query']), ...unsafeInputIssues(req.body)];
  if (issues.length > 0) throw invalid(issues);
  next();
};

/**
 * Every path segment must decode to text: a malformed percent-escape (`%ZZ`, a cut UTF-8 sequence) would
 * make the router throw, and U+0000 (`%00`) or another control character can be no id of ours.
 */
export function undecodablePath(path: string): HttpError | undefined {
  const segments = path.split('/');
  for (const [index, segment] of segments.entries()) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return new HttpError(400, 'invalid_path', `path segment ${index} is not valid percent-encoded UTF-8`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return new HttpError(400, 'invalid_path', `path segment ${index} contains a control character`);
  }
  return undefined;
}

export const refuseUndecodablePath: RequestHandler = (req, _res, next) => {
  const refused = undecodablePath(req.path);
  if (refused) throw refused;
  next();
};
