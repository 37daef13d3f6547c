import type { VerifyFailure, VerifyResult } from '../types';
import { constantTimeEqual } from '../../lib/crypto';

export const verified: VerifyResult = { ok: true };

export function rejected(reason: VerifyFailure, detail?: string): VerifyResult {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** The non-empty values of `fields` across the current and grace-period secrets, in that order. */
export function secretValues<S>(secrets: readonly S[], ...fields: Array<keyof S>): string[] {
  return secrets
    .flatMap((entry) => fields.map((field): unknown => entry[field]))
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/** Ok when any provided signature equals `sign(key)` for any key: any secret still in its grace period may have signed. */
export function verifySignature(keys: string[], provided: string[], sign: (key: string) => string): VerifyResult {
  if (keys.length === 0) return rejected('bad_signature', 'no signing secret configured');
  const matches = keys.some((key) => {
    const expected = sign(key);
    return provided.some((candidate) => constantTimeEqual(candidate, expected));
  });
  return matches ? verified : rejected('bad_signature');
}

/** Refuses a timestamp further than `toleranceMs` from now in either direction (replays and clock tricks). */
export function checkTimestamp(timestampMs: number, nowMs: number, toleranceMs: number): VerifyResult {
  if (nowMs - timestampMs > toleranceMs) return rejected('stale_timestamp');
  if (timestampMs - nowMs > toleranceMs) return rejected('future_timestamp');
  return verified;
}

/** A header holding a non-negative integer timestamp, else undefined. */
export function integerHeader(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
