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

/** Resolves the workspace API key (stored as a SHA-256 hash) into `res.locals.workspaceId`. */
export function requireApiKey(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = bearer(req.headers.authorization);
    if (!key) throw unauthorized();
    const found = await db
      .selectFrom('api_keys')
      .select(['id', 'workspace_id'])
      .where('key_hash', '=', sha256Hex(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!found) throw unauthorized();
    res.locals.workspaceId = found.workspace_id;
    res.locals.actor = `api:${found.id}`;
    next();
  };
}

export function caller(res: Response): { workspaceId: string; actor: string } {
  return { workspaceId: res.locals.workspaceId as string, actor: res.locals.actor as string };
}
