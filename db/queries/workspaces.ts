import { randomBytes } from 'node:crypto';
import type { Db } from '..';
import { randomId, sha256Hex } from '../../lib/crypto';

export interface CreatedWorkspace {
  workspace: { id: string; name: string; createdAt: string };
  /** The only time the full key is visible: it is stored as a hash. */
  apiKey: { id: string; key: string; prefix: string };
}

export async function createWorkspace(db: Db, name: string): Promise<CreatedWorkspace> {
  const key = `lq_${randomBytes(24).toString('base64url')}`;
  const prefix = key.slice(0, 9);
  return db.transaction().execute(async (trx) => {
    const workspace = await trx
      .insertInto('workspaces')
      .values({ id: randomId('ws'), name })
      .returning(['id', 'name', 'created_at'])
      .executeTakeFirstOrThrow();
    const apiKey = await trx
      .insertInto('api_keys')
      .values({ id: randomId('key'), workspace_id: workspace.id, key_hash: sha256Hex(key), key_prefix: prefix })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      workspace: { id: workspace.id, name: workspace.name, createdAt: workspace.created_at.toISOString() },
      apiKey: { id: apiKey.id, key, prefix },
    };
  });
}
