import { z } from 'zod';
import { MalformedPayloadError } from '../types';

export function readJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new MalformedPayloadError('body is not valid JSON');
  }
}

/** Parses `value` or throws `MalformedPayloadError` naming what was expected and the offending fields. */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new MalformedPayloadError(`not a ${what}: ${issues}`);
}

/** Provider ids arrive as JSON numbers or strings; we key by their string form. */
export const idSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

/** Any date string `Date` understands, as an ISO-8601 UTC string. */
export const dateSchema = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'a date')
  .transform((value) => new Date(value).toISOString());

export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}
