import type { z } from 'zod';
import { invalid, zodIssues } from './errors';

/** Parses with a zod schema; failure is a 400 naming each field path (prefixed, e.g. `settings.mode`). */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(zodIssues(result.error, prefix));
  return result.data;
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  return parseWith(schema, body ?? {});
}
