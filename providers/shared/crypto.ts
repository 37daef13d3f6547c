import { createHmac, randomBytes } from 'node:crypto';

/** HMAC over the parts in order, so a raw body is signed byte for byte, never re-encoded. */
export function hmac(
  algorithm: 'sha1' | 'sha256',
  key: string | Buffer,
  parts: ReadonlyArray<string | Buffer>,
  encoding: 'hex' | 'base64',
): string {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/** A secret we issue: `prefix` + base64 of 24 random bytes. */
export function randomSecret(prefix = ''): string {
  return prefix + randomBytes(24).toString('base64');
}
