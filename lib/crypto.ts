import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** AES-256-GCM envelope for provider secrets at rest: `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromBase64(keyBase64: string): SecretBox {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) throw new Error('LINQUID_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    return new SecretBox(key);
  }

  /** The configured key, or one generated once under the data dir so the embedded defaults just run. */
  static load(keyBase64: string | undefined, dataDir: string): SecretBox {
    if (keyBase64) return SecretBox.fromBase64(keyBase64);
    const file = join(dataDir, 'encryption.key');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    }
    return SecretBox.fromBase64(readFileSync(file, 'utf8').trim());
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** HMAC-SHA256 under a key derived from this box's key for `purpose`: a mark only this service can produce. */
  mac(purpose: string, data: string | Buffer): string {
    const key = createHmac('sha256', this.key).update(`linquid:${purpose}`).digest();
    return createHmac('sha256', key).update(data).digest('base64url');
  }

  open<T = unknown>(sealed: string): T {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('unrecognised secret envelope');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison; lengths are checked first because `timingSafeEqual` throws on a mismatch. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Random bytes drawn for ids this many at a time: a drain names 3–4 rows per event, and each draw is a call into OpenSSL. */
const ID_POOL_BYTES = 4096;
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;

/** `prefix_` + `bytes` random bytes, base62-ish via base64url (row ids, never secrets). */
export function randomId(prefix: string, bytes = 12): string {
  if (idPoolOffset + bytes > idPool.length) {
    idPool = randomBytes(Math.max(ID_POOL_BYTES, bytes));
    idPoolOffset = 0;
  }
  const drawn = idPool.subarray(idPoolOffset, idPoolOffset + bytes);
  idPoolOffset += bytes;
  return `${prefix}_${drawn.toString('base64url').replace(/[-_]/g, '')}`;
}
