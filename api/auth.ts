import type { RequestHandler, Response } from 'express';
import type { Db } from '../db';
import { constantTimeEqual, sha256Hex } from '../lib/crypto';
import { HttpError } from './errors';

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

const unauthorized = () => new HttpError(401, 'unauthorized', 'missing or invalid API key (Authorization: Bearer <key>)');

export function requireAdmin(adminToken: string): RequestHandler {
  return (req, _res, next) => {
    const token = bearer(req.headers.authorization);
    if (!token || !constantTimeEqual(token, adminToken)) throw new HttpError(401, 'unauthorized', 'missing or invalid admin token');
    next();
  };
}

/**
 * How long a key found in the database is trusted by this process without asking again: every `/v1`
 * request otherwise paid a statement for it. A key revoked in the database (`revoked_at`) stops working
 * within this; an unknown key is looked up every time.
 */
export const API_KEY_CACHE_MS = 10_000;
const API_KEY_CACHE_MAX = 10_000;

interface KnownKey {
  id: string;
  workspaceId: string;
  until: number;
}

/** Resolves the workspace API key (stored as a SHA-256 hash) into `res.locals.workspaceId`. */
export function requireApiKey(db: Db): RequestHandler {
  const known = new Map<string, KnownKey>();
  const lookup = async (hash: string): Promise<KnownKey | undefined> => {
    const cached = known.get(hash);
    if (cached && cached.until > Date.now()) return cached;
    const found = await db.selectFrom('api_keys').select(['id', 'workspace_id']).where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
    if (!found) {
      known.delete(hash);
      return undefined;
    }
    if (known.size >= API_KEY_CACHE_MAX) known.clear();
    const entry = { id: found.id, workspaceId: found.workspace_id, until: Date.now() + API_KEY_CACHE_MS };
    known.set(hash, entry);
    return entry;
  };
  return async (req, res, next) => {
    const key = bearer(req.headers.authorization);
    if (!key) throw unauthorized();
    const found = await lookup(sha256Hex(key));
    if (!found) throw unauthorized();
    res.locals.workspaceId = found.workspaceId;
    res.locals.actor = `api:${found.id}`;
    next();
  };
}

export function caller(res: Response): { workspaceId: string; actor: string } {
  return { workspaceId: res.locals.workspaceId as string, actor: res.locals.actor as string };
}
