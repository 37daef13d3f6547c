import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { readOnlySettings } from '../providers';
import type { ProviderModule } from '../providers/types';
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

/**
 * A 400 naming each read-only setting (`readOnlySettings`: Linquid sets it from the provider at install) that the
 * request sets to anything but what is stored; sending the stored value back (as a settings form does) is fine.
 */
export function assertReadOnlySettingsKept(provider: ProviderModule, given: Record<string, unknown>, stored: Record<string, unknown>): void {
  const issues = readOnlySettings(provider)
    .filter((name) => Object.hasOwn(given, name) && !isDeepStrictEqual(given[name], stored[name]))
    .map((name) => ({ path: `settings.${name}`, message: `read-only (set from ${provider.displayName} at install): it cannot be set or changed` }));
  if (issues.length > 0) throw invalid(issues);
}
