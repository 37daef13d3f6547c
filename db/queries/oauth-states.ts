import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { sha256Hex } from '../../lib/crypto';
import type { Database } from '../schema';

/** Who started an OAuth install, and what for: the callback acts for them, whoever's browser brings the state back. */
export interface OAuthStateBinding<T extends Record<string, unknown>> {
  workspaceId: string;
  actor: string;
  payload: T;
}

/**
 * A new OAuth `state` for `purpose`: 32 random bytes (base64url), opaque, stored as a hash with the
 * workspace and actor that asked, valid `ttlMs`. Expired states are swept in the same statement.
 */
export async function issueOAuthState<T extends Record<string, unknown>>(
  db: Kysely<Database>,
  purpose: string,
  binding: OAuthStateBinding<T>,
  ttlMs: number,
): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  await db
    .with('swept', (trx) => trx.deleteFrom('oauth_states').where('expires_at', '<', sql<Date>`now()`))
    .insertInto('oauth_states')
    .values({
      state_hash: sha256Hex(state),
      purpose,
      workspace_id: binding.workspaceId,
      actor: binding.actor,
      payload: JSON.stringify(binding.payload),
      expires_at: sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval`,
    })
    .execute();
  return state;
}

/**
 * Uses `state` up: its binding, or undefined for a state that is unknown (forged, already used),
 * expired or of another purpose. One statement deletes it, so of two callbacks racing with the same
 * state exactly one gets the binding.
 */
export async function consumeOAuthState<T extends Record<string, unknown>>(
  db: Kysely<Database>,
  purpose: string,
  state: string,
): Promise<OAuthStateBinding<T> | undefined> {
  const row = await db
    .deleteFrom('oauth_states')
    .where('state_hash', '=', sha256Hex(state))
    .where('purpose', '=', purpose)
    .returning(['workspace_id', 'actor', 'payload', sql<boolean>`expires_at > now()`.as('live')])
    .executeTakeFirst();
  return row?.live ? { workspaceId: row.workspace_id, actor: row.actor, payload: row.payload as T } : undefined;
}
