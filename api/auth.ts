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

/** Who a request is from, by its workspace API key. */
export interface ApiCaller {
  workspaceId: string;
  actor: string;
}

/** An `Authorization` header's caller (apiKeyResolver). */
export type ResolveCaller = (authorization: string | undefined) => Promise<ApiCaller>;

/**
 * Resolves an `Authorization: Bearer <key>` header into its workspace (the key is stored as a SHA-256
 * hash), or throws a 401. One per process: Express's `/v1` routes and the endpoints ahead of it share it.
 */
export function apiKeyResolver(db: Db): ResolveCaller {
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
  return async (authorization) => {
    const key = bearer(authorization);
    if (!key) throw unauthorized();
    const found = await lookup(sha256Hex(key));
    if (!found) throw unauthorized();
    return { workspaceId: found.workspaceId, actor: `api:${found.id}` };
  };
}

/** Puts the request's caller (apiKeyResolver) into `res.locals`. */
export function requireApiKey(resolve: ResolveCaller): RequestHandler {
  return async (req, res, next) => {
    const { workspaceId, actor } = await resolve(req.headers.authorization);
    res.locals.workspaceId = workspaceId;
    res.locals.actor = actor;
    next();
  };
}

export function caller(res: Response): ApiCaller {
  return { workspaceId: res.locals.workspaceId as string, actor: res.locals.actor as string };
}
