import type { SecretBox } from '../lib/crypto';

interface Sealed<T> {
  purpose: string;
  expiresAt: number;
  payload: T;
}

/**
 * An OAuth `state`: the payload sealed with the service's AES-256-GCM key (authenticated, so it cannot
 * be forged or altered, and opaque, so it leaks nothing), bound to a purpose and an expiry.
 */
export function sealState<T>(box: SecretBox, purpose: string, payload: T, ttlMs: number, nowMs = Date.now()): string {
  const sealed: Sealed<T> = { purpose, expiresAt: nowMs + ttlMs, payload };
  return box.seal(sealed);
}

/** The payload, or undefined for a forged, altered, expired or other-purpose state. */
export function openState<T>(box: SecretBox, purpose: string, state: string, nowMs = Date.now()): T | undefined {
  try {
    const sealed = box.open<Sealed<T>>(state);
    return sealed.purpose === purpose && sealed.expiresAt > nowMs ? sealed.payload : undefined;
  } catch {
    return undefined;
  }
}
