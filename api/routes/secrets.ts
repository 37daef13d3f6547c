import { Router } from 'express';
import { z } from 'zod';
import { secretColumns } from '../../db/queries/integrations';
import { integrationOfWorkspace } from '../workspace-rows';
import { openSecrets, type RetiredSecrets, retiredSecretsInGrace } from '../../db/queries/secrets';
import { getProvider } from '../../providers';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { conflict, HttpError, invalid } from '../errors';
import { parseBody, parseWith } from '../validate';

const DAY_SECONDS = 24 * 60 * 60;
export const Rotate = z
  .object({
    /** Provider-issued secrets (Stripe, Shopify, HubSpot) are passed in; ours are generated. */
    secret: z.string().min(8).max(500).optional(),
    gracePeriodSeconds: z.number().int().min(0).max(7 * DAY_SECONDS).default(DAY_SECONDS),
  })
  .strict();

/**
 * `POST /v1/integrations/:id/secrets/rotate`: replaces the signing secret; the old one keeps
 * verifying for the grace period so in-flight and retried deliveries are not refused.
 */
export function secretsRouter({ db, box, inbound }: ApiContext): Router {
  const router = Router();
  router.post('/:id/secrets/rotate', async (req, res) => {
    const { workspaceId } = caller(res);
    const row = await integrationOfWorkspace(db, workspaceId, req.params.id);
    const body = parseBody(Rotate, req.body);
    const provider = getProvider(row.provider)!;
    const rotation = provider.rotation;
    if (!rotation) throw new HttpError(400, 'not_rotatable', `${provider.displayName} integrations have no signing secret to rotate`);
    if (row.state === 'disconnected' || !row.secrets_sealed) throw conflict('the integration is disconnected');
    const value = body.secret ?? rotation.generate?.();
    if (!value) throw invalid([{ path: 'secret', message: `${provider.displayName} issues this secret: pass the new one as "secret"` }]);

    const now = Date.now();
    const current = openSecrets(box, row);
    const secrets = parseWith(provider.secretsSchema, { ...current, [rotation.field]: value }, 'secrets') as Record<string, unknown>;
    const expiresAt = new Date(now + body.gracePeriodSeconds * 1000).toISOString();
    const stillValid = retiredSecretsInGrace(box, row, now);
    const retired: RetiredSecrets[] = body.gracePeriodSeconds > 0 ? [{ secrets: current, expiresAt }, ...stillValid] : stillValid;
    await db
      .updateTable('integrations')
      .set({
        ...secretColumns(box, provider, row.settings, secrets),
        retired_secrets_sealed: retired.length ? box.seal(retired) : null,
        updated_at: new Date(now),
      })
      .where('id', '=', row.id)
      .execute();
    inbound.forget(row.id);
    res.json({
      field: rotation.field,
      // Shown once; afterwards only masked.
      ...(body.secret ? {} : { secret: value }),
      previousSecretValidUntil: body.gracePeriodSeconds > 0 ? expiresAt : null,
    });
  });
  return router;
}
