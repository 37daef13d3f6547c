import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import { notFound } from './errors';
import { keysetPage, type Page, pageParams } from './pagination';

/** An ISO-8601 instant (`2024-03-01T10:00:00Z`, any offset) or a date (`2024-03-01`, midnight UTC). */
export const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((text) => new Date(text));

/** Our ids are `<prefix>_<base64url>`: anything else cannot match a row, so it is a 400, not an empty page. */
export const idParam = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9]+$`), `a ${prefix}_… id`);

/** `from` (inclusive), `to` (exclusive) and `integrationId`: shared by the listings and analytics. */
export const rangeParams = { from: instant.optional(), to: instant.optional(), integrationId: idParam('int').optional() };

/** An empty or inverted range is a mistake worth a 400 (on `query.to`), not an empty answer. */
export const orderedRange: [(query: { from?: unknown; to?: unknown }) => boolean, { path: string[]; message: string }] = [
  (query) => !(query.from instanceof Date && query.to instanceof Date) || query.from < query.to,
  { path: ['to'], message: 'must be after from' },
];

/**
 * Query schema of a listing: pagination, time range, integration, `includeTest`, plus its own filters.
 * Strict: a misspelt filter is a 400, not a silently unfiltered list.
 */
export function listQuery<S extends z.ZodRawShape>(filters: S) {
  return z.strictObject({ ...pageParams, ...rangeParams, includeTest: z.stringbool().default(false), ...filters }).refine(...orderedRange);
}

interface ListFilters {
  from?: Date;
  to?: Date;
  integrationId?: string;
  includeTest: boolean;
}

/**
 * The filters every listing shares, then one keyset page over (`at`, id). Column names are the same in
 * conversions, customers and events; test rows are left out unless asked for (they must not reach
 * listings or analytics by default).
 */
export function listPage<DB, TB extends keyof DB, O, V>(
  select: SelectQueryBuilder<DB, TB, O>,
  at: string,
  query: ListFilters & Parameters<typeof keysetPage>[2],
  view: (row: O) => V,
): Promise<Page<V>> {
  let filtered = select;
  if (query.integrationId) filtered = filtered.where(sql<boolean>`integration_id = ${query.integrationId}`);
  if (query.from) filtered = filtered.where(sql<boolean>`${sql.ref(at)} >= ${query.from}`);
  if (query.to) filtered = filtered.where(sql<boolean>`${sql.ref(at)} < ${query.to}`);
  if (!query.includeTest) filtered = filtered.where(sql<boolean>`not is_test`);
  return keysetPage(filtered, { at, id: 'id' }, query, view);
}

/** A row fetched by id within the caller's workspace, or 404: another workspace's id looks like no id. */
export function found<T>(row: T | undefined, what: string): T {
  if (!row) throw notFound(what);
  return row;
}
