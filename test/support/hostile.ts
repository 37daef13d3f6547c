import type { Express } from 'express';
import { sql } from 'kysely';
import { ROUTES_AHEAD_OF_EXPRESS } from '../../api/app';
import { createDb, type Db, dropDatabase, ensureDatabase, migrateToLatest } from '../../db';

/**
 * Hostile input for every route: the routes are read from the Express app itself, each field of a
 * route's valid base request is replaced by each bad value, and the database is fingerprinted around
 * every request so a refused one can be shown to have written nothing.
 */

export interface Route {
  method: string;
  path: string;
}

export const routeKey = (route: Route) => `${route.method} ${route.path}`;

/** Every route of the app, from its router stack (mounted routers are walked under their mount path), and the endpoints served ahead of it. */
export function appRoutes(app: Express): Route[] {
  const found = new Map<string, Route>(ROUTES_AHEAD_OF_EXPRESS.map((route) => [routeKey(route), route]));
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`.replace(/(.)\/$/, '$1');
        for (const method of Object.keys(layer.route.methods)) {
          const route = { method: method.toUpperCase(), path };
          found.set(routeKey(route), route);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack, `${prefix}${layer.rawPath === '/' ? '' : layer.rawPath}`);
      }
    }
  };
  walk((app as any).router.stack, '');
  return [...found.values()];
}

/** How a route treats input the guard refuses: a 400 naming the field, stored (signed webhooks: 2xx), or not read at all. */
export type HostileAnswer = 'refused' | 'stored' | 'ignored';

export interface BaseRequest {
  /** Values of the route's `:params`. */
  params: Record<string, string>;
  query?: Record<string, string>;
  /** Query parameters fuzzed although the base request does not send them (`cursor`). */
  fuzzQuery?: string[];
  body?: unknown;
  /** Body paths to fuzz (default: every one): a signed webhook's every leaf would be a long run. */
  fuzzBody?: string[];
  headers?: Record<string, string>;
  /** Headers computed from the final body (a webhook is signed after its body was changed). */
  sign?: (body: string) => Record<string, string>;
  /** What the unchanged request answers. */
  status: number;
  hostile?: HostileAnswer;
}

export interface Probe {
  /** What was replaced: `path.id`, `query.limit`, `settings.mode`, `(body)`. */
  field: string;
  what: string;
  /** The input guard refuses it whatever the route (U+0000, lone surrogates, prototype keys, deep nesting, broken path escapes). */
  guarded: boolean;
  /** Every JSON type as in the base request (a string for a string, a key added to an object): a signed webhook keeps its shape, and must be stored. */
  sameShape: boolean;
  path: string;
  query: string;
  body?: string;
}

interface Value {
  what: string;
  json: string;
  guarded: boolean;
  type: string;
  /** Tried whatever the field's type (otherwise only where it is a wrong type). */
  always?: boolean;
}

const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** Raw JSON, so values JSON.stringify cannot write (5,000 levels, 1e400) are sent as a client could. */
const JSON_VALUES: Value[] = [
  { what: 'U+0000', json: '"a\\u0000b"', guarded: true, type: 'string' },
  { what: 'lone high surrogate', json: '"\\ud800"', guarded: true, type: 'string' },
  { what: 'lone low surrogate', json: '"x\\udc00"', guarded: true, type: 'string' },
  { what: 'reversed surrogates', json: '"\\udc00\\ud800"', guarded: true, type: 'string' },
  { what: 'overlong string', json: JSON.stringify('x'.repeat(100_000)), guarded: false, type: 'string', always: true },
  { what: '5,000 levels of arrays', json: deepArray(5000), guarded: true, type: 'array' },
  { what: '65 levels of objects', json: deepObject(65), guarded: true, type: 'object' },
  { what: '5,000 levels of objects', json: deepObject(5000), guarded: true, type: 'object' },
  { what: 'a number', json: '123', guarded: false, type: 'number' },
  { what: 'a boolean', json: 'true', guarded: false, type: 'boolean' },
  { what: 'null', json: 'null', guarded: false, type: 'null' },
  { what: 'an empty array', json: '[]', guarded: false, type: 'array' },
  { what: 'an empty object', json: '{}', guarded: false, type: 'object' },
  { what: 'a string', json: '"str"', guarded: false, type: 'string' },
  { what: '1e400', json: '1e400', guarded: false, type: 'number', always: true },
  { what: '2^64', json: '18446744073709551616', guarded: false, type: 'number', always: true },
  { what: '-1', json: '-1', guarded: false, type: 'number', always: true },
  { what: '0.5', json: '0.5', guarded: false, type: 'number', always: true },
];

/** Keys added to an object: JSON.parse makes them own properties. */
const HOSTILE_KEYS: Array<{ what: string; json: string }> = [
  { what: '__proto__ key', json: '"__proto__":{"polluted":true}' },
  { what: 'constructor key', json: '"constructor":{"prototype":{"polluted":true}}' },
  { what: 'prototype key', json: '"prototype":1' },
  { what: 'key with U+0000', json: '"k\\u0000":1' },
];

/** Whole bodies (raw text): none is valid for a route that reads a body. */
const RAW_BODIES: Array<{ what: string; text: string; guarded: boolean }> = [
  { what: 'truncated JSON', text: '{"a":', guarded: false },
  { what: 'broken JSON escape', text: '{"reason":"\\x"}', guarded: false },
  { what: 'a JSON string', text: '"\\ud800"', guarded: false },
  { what: 'a JSON number', text: '123', guarded: false },
  { what: 'a JSON array', text: '[]', guarded: false },
  { what: '10,000 levels of arrays', text: deepArray(10_000), guarded: true },
];

const cursorOf = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');

/** Raw (already percent-encoded) query values. */
const QUERY_VALUES: Array<{ what: string; raw: string; guarded: boolean; only?: string[] }> = [
  { what: '%00', raw: '%00', guarded: true },
  { what: 'a%00b', raw: 'a%00b', guarded: true },
  { what: 'cut UTF-8 escape', raw: '%E0%A4%A', guarded: false },
  { what: 'invalid escape', raw: '%ZZ', guarded: false },
  { what: 'encoded surrogate', raw: '%ED%A0%80', guarded: false },
  { what: 'overlong', raw: 'x'.repeat(5000), guarded: false },
  { what: '1e400', raw: '1e400', guarded: false },
  { what: '-1', raw: '-1', guarded: false },
  ...[
    ['year 0000', '0000-01-01T00:00:00.000000Z', 'cus_1'],
    ['30 February', '2024-02-30T00:00:00.000000Z', '1'],
    ['U+0000 in the id', '2024-01-01T00:00:00.000000Z', 'a\u0000'],
    ['beyond bigint', '2024-01-01T00:00:00.000000Z', '99999999999999999999'],
    ['another kind of id', '2024-01-01T00:00:00.000000Z', 'cus_abc'],
  ].map(([what, at, id]) => ({ what: `cursor: ${what}`, raw: cursorOf(at, id), guarded: false, only: ['cursor'] })),
  ...['0000-01-01', '0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '2024-02-30', '275760-09-13T00:00:00Z'].map((raw) => ({
    what: `date ${raw}`,
    raw: encodeURIComponent(raw),
    guarded: false,
    only: ['from', 'to'],
  })),
];
const HOSTILE_QUERY_KEYS = ['__proto__', 'constructor', 'prototype', 'k%00'];

/** Path segments (raw): broken escapes and control characters are refused by the guard; the rest are unknown ids. */
const PATH_VALUES: Array<{ what: string; raw: string; guarded: boolean }> = [
  { what: '%00', raw: '%00', guarded: true },
  { what: 'id with %00', raw: 'int_abc%00', guarded: true },
  { what: 'cut UTF-8 escape', raw: '%E0%A4%A', guarded: true },
  { what: 'invalid escape', raw: '%ZZ', guarded: true },
  { what: 'encoded surrogate', raw: '%ED%A0%80', guarded: true },
  { what: 'overlong id', raw: 'x'.repeat(5000), guarded: false },
  { what: 'emoji', raw: '%F0%9F%98%80', guarded: false },
  { what: '__proto__', raw: '__proto__', guarded: false },
];

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Every path into `body` (objects and arrays included), with the value there. */
function bodyPaths(body: unknown, at: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (body === null || typeof body !== 'object') return [];
  return Object.entries(body).flatMap(([key, value]) => [{ path: [...at, key], value }, ...bodyPaths(value, [...at, key])]);
}

const PLACEHOLDER = '@@hostile@@';

/** `body` as JSON text with the value at `path` replaced by raw JSON (or, with `addKey`, a raw `"key":value` added inside it). */
function bodyWith(body: unknown, path: string[], raw: string, addKey = false): string {
  const copy = structuredClone(body) as Record<string, any>;
  const parent = path.slice(0, -1).reduce((node, key) => node[key], copy);
  const target = path.length === 0 ? copy : parent[path[path.length - 1]];
  if (addKey) target[PLACEHOLDER] = 0;
  else parent[path[path.length - 1]] = PLACEHOLDER;
  const text = JSON.stringify(copy);
  return addKey ? text.replace(`"${PLACEHOLDER}":0`, raw) : text.replace(`"${PLACEHOLDER}"`, raw);
}

const queryText = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');

/** Every probe of one route: each path parameter, query parameter and body field replaced by each bad value. */
export function probesOf(route: Route, base: BaseRequest): Probe[] {
  const pathWith = (name?: string, raw?: string) =>
    route.path.replace(/:(\w+)/g, (_, param: string) => (param === name ? raw! : encodeURIComponent(base.params[param])));
  const path = pathWith();
  const query = queryText(base.query ?? {});
  const body = base.body === undefined ? undefined : JSON.stringify(base.body);
  const probes: Probe[] = [];
  const add = (probe: Omit<Probe, 'path' | 'query' | 'body' | 'sameShape'> & Partial<Probe>) =>
    probes.push({ path, query, body, sameShape: true, ...probe });

  for (const name of Object.keys(base.params)) {
    for (const value of PATH_VALUES) add({ field: `path.${name}`, what: value.what, guarded: value.guarded, sameShape: false, path: pathWith(name, value.raw) });
  }

  const queryKeys = [...new Set([...Object.keys(base.query ?? {}), ...(base.fuzzQuery ?? [])])];
  const queryWith = (key: string, raw: string) => [...Object.entries(base.query ?? {}).filter(([k]) => k !== key).map(([k, v]) => `${k}=${encodeURIComponent(v)}`), `${key}=${raw}`].join('&');
  for (const key of queryKeys) {
    for (const value of QUERY_VALUES.filter((v) => !v.only || v.only.includes(key))) {
      add({ field: `query.${key}`, what: value.what, guarded: value.guarded, query: queryWith(key, value.raw) });
    }
    add({ field: `query.${key}`, what: 'repeated (an array)', guarded: false, query: `${queryWith(key, 'a')}&${key}=b` });
  }
  for (const key of HOSTILE_QUERY_KEYS) add({ field: `query.${decodeURIComponent(key)}`, what: `query key ${key}`, guarded: true, query: [query, `${key}=1`].filter(Boolean).join('&') });

  if (base.body !== undefined) {
    const fuzzed = bodyPaths(base.body).filter(({ path: at }) => !base.fuzzBody || base.fuzzBody.includes(at.join('.')));
    for (const { path: at, value } of fuzzed) {
      for (const candidate of JSON_VALUES.filter((v) => v.always || v.guarded || v.type !== typeOf(value))) {
        add({
          field: at.join('.'),
          what: candidate.what,
          guarded: candidate.guarded,
          sameShape: candidate.type === typeOf(value),
          body: bodyWith(base.body, at, candidate.json),
        });
      }
    }
    const objects = [{ path: [] as string[], value: base.body }, ...fuzzed].filter(({ value }) => typeOf(value) === 'object');
    for (const { path: at } of objects) {
      for (const key of HOSTILE_KEYS) {
        const name = JSON.parse(`{${key.json}}`);
        add({ field: [...at, Object.keys(name)[0]].join('.'), what: key.what, guarded: true, body: bodyWith(base.body, at, key.json, true) });
      }
    }
    for (const raw of RAW_BODIES) add({ field: '(body)', what: raw.what, guarded: raw.guarded, sameShape: false, body: raw.text });
  }
  return probes;
}

/** Whether a 400's issues name the probed field (or a path inside it: nesting is reported where it goes too deep). */
export function namesField(issues: Array<{ path: string }> | undefined, field: string): boolean {
  return (issues ?? []).some((issue) => field === '(body)' || issue.path === field || issue.path.startsWith(`${field}.`));
}

/**
 * A database of the run's server for this test alone (its URL, and how to drop it): the fingerprint
 * covers whole tables, which the test files running alongside would change.
 */
export async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_hostile`;
  await ensureDatabase(url.toString());
  const db = createDb(url.toString(), 1);
  await migrateToLatest(db);
  await db.destroy();
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}

/**
 * A fingerprint of every table: equal before and after a refused request means it wrote nothing. A row's
 * version (ctid, xmin) changes with any insert, update or delete, without reading large values. For
 * integrations the columns are compared instead, without `doorbell`: a drain clears it when it is done.
 */
export async function dbFingerprint(db: Db): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(db);
  const parts = tables.rows.map(({ name }) => {
    const row = name === 'integrations' ? sql`(to_jsonb(t) - 'doorbell')::text` : sql`t.ctid::text || ':' || t.xmin::text`;
    return sql`SELECT ${name}::text AS name, count(*) || ':' || coalesce(md5(string_agg(${row}, ',' ORDER BY ${row})), '') AS fp FROM ${sql.table(name)} t`;
  });
  const rows = await sql<{ name: string; fp: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(db);
  return Object.fromEntries(rows.rows.map((row) => [row.name, row.fp]));
}

/** Nothing left in flight: no inbox row pending, no outbox row waiting, no delivery open. */
export async function quiescent(db: Db): Promise<boolean> {
  const { rows } = await sql<{ busy: number }>`
    SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') + (SELECT count(*) FROM outbox)
         + (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'delivering')) AS busy`.execute(db);
  return Number(rows[0].busy) === 0;
}
