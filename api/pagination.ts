import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import { invalid } from './errors';

/** Where a page ended: the sort timestamp (microseconds, as PostgreSQL keeps it) and the row id. */
interface Cursor {
  at: string;
  id: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const MAX_PAGE_SIZE = 200;
const NOT_A_CURSOR = 'not a cursor returned by this endpoint';

/** As `keysetPage` writes it: UTC, microseconds. */
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A real instant PostgreSQL reads back: no year 0000, no 30 February (JS would roll it over to March). */
function isCursorInstant(at: string): boolean {
  if (!CURSOR_AT.test(at) || at.startsWith('0000')) return false;
  const ms = `${at.slice(0, 23)}Z`;
  const date = new Date(ms);
  return !Number.isNaN(date.getTime()) && date.toISOString() === ms;
}

/** The `idPattern` of a bigserial id column (the inbox, the audit trail): at most 18 digits stay within bigint. */
export const BIGINT_ID = /^\d{1,18}$/;

/** Ids of listed rows: `<prefix>_<alphanumerics>`, or a bigint — see `keysetPage`'s `idPattern`. */
const cursorTuple = z.tuple([z.string().refine(isCursorInstant), z.string().regex(/^[A-Za-z0-9_]{1,200}$/)]);

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

function decodeCursor(text: string): Cursor | undefined {
  try {
    const parsed = cursorTuple.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? { at: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

/** `cursor` and `limit` query parameters; a cursor that does not decode is a 400 on `query.cursor`. */
export const pageParams = {
  cursor: z
    .string()
    .max(1000)
    .transform((text, ctx) => {
      const cursor = decodeCursor(text);
      if (!cursor) ctx.addIssue({ code: 'custom', message: NOT_A_CURSOR });
      return cursor ?? z.NEVER;
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
};

/**
 * One page, newest first, by keyset over (`at`, `id`): no OFFSET scans, and rows inserted meanwhile
 * cause no duplicates or gaps. The cursor timestamp is read back as text with microseconds, because
 * a JS Date (milliseconds) would skip or repeat rows that share a millisecond. `idPattern` is what the
 * id column can hold (a bigint column cannot compare with `cus_…`): a cursor of another kind is a 400.
 */
export async function keysetPage<DB, TB extends keyof DB, O, V>(
  select: SelectQueryBuilder<DB, TB, O>,
  key: { at: string; id: string; idPattern?: RegExp },
  page: { cursor?: Cursor; limit: number },
  view: (row: O) => V,
): Promise<Page<V>> {
  if (page.cursor && key.idPattern && !key.idPattern.test(page.cursor.id)) {
    throw invalid([{ path: 'query.cursor', message: NOT_A_CURSOR }]);
  }
  const at = sql.ref(key.at);
  const id = sql.ref(key.id);
  let query = select
    .select([
      sql<string>`to_char(${at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'),
      sql<string>`${id}::text`.as('cursor_id'),
    ])
    .orderBy(sql`${at} desc, ${id} desc`)
    .limit(page.limit + 1);
  if (page.cursor) query = query.where(sql<boolean>`(${at}, ${id}) < (${page.cursor.at}::timestamptz, ${page.cursor.id})`);
  // The added columns are known; TypeScript cannot see them through the generic row type.
  const rows = (await query.execute()) as Array<O & { cursor_at: string; cursor_id: string }>;
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const last = shown[shown.length - 1];
  return {
    data: shown.map((row) => view(row)),
    nextCursor: more && last ? encodeCursor({ at: last.cursor_at, id: last.cursor_id }) : null,
  };
}
