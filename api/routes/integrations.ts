import { isDeepStrictEqual } from 'node:util';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { secretColumns } from '../../db/queries/integrations';
import { listIntegrationsWithOverview } from '../../db/queries/integration-overview';
import { overviewOf } from '../../services/diagnostics/overview';
import { integrationOfWorkspace } from '../workspace-rows';
import { openSecrets } from '../../db/queries/secrets';
import type { IntegrationRow } from '../../db/schema';
import { integrationHealth } from '../../services/diagnostics/health';
import { getProvider, providers } from '../../providers';
import type { ProviderModule } from '../../providers/types';
import { INTEGRATION_STATES } from '../../contract/states';
import { checkTransition, type LifecycleAction } from '../../contract/lifecycle';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { transitionIntegration } from '../transition';
import { assertDestinationsAllowed } from '../destination-guard';
import { conflict, HttpError, invalid } from '../errors';
import { installIntegration } from '../install-integration';
import { integrationView } from '../integration-view';
import { assertAcceptedByProvider, assertReadOnlySettingsKept } from '../provider-validation';
import { parseBody, parseWith } from '../validate';

const providerIds = providers.map((provider) => provider.id) as [string, ...string[]];

export const Install = z
  .object({
    provider: z.enum(providerIds),
    settings: z.record(z.string(), z.unknown()).default({}),
    secrets: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export const ListQuery = z.object({ provider: z.enum(providerIds).optional(), state: z.enum(INTEGRATION_STATES).optional() });
export const Reason = z.object({ reason: z.string().max(500).optional() }).strict();
export const PatchSettings = z.object({ settings: z.record(z.string(), z.unknown()) }).strict();
export const Reauthorize = z.object({ secrets: z.record(z.string(), z.unknown()), reason: z.string().max(500).optional() }).strict();

/** Actions the API exposes as `POST /v1/integrations/:id/<action>` with an optional reason. */
export const SIMPLE_ACTIONS = ['connect', 'pause', 'resume', 'disconnect'] as const satisfies readonly LifecycleAction[];

export function integrationsRouter(ctx: ApiContext): Router {
  const { db, box, config } = ctx;
  const router = Router();
  const view = (row: IntegrationRow) => integrationView(row, box, config);
  const reload = (workspaceId: string, id: string) => integrationOfWorkspace(db, workspaceId, id);

  /**
   * Refuses from the stored state (always current: the workflow writes it before answering), before any
   * other check, so an impossible transition is a 409 whatever else is wrong with the request.
   */
  const assertAllowed = (row: IntegrationRow, action: LifecycleAction) => {
    const check = checkTransition(row.state, action);
    if (!check.ok) throw conflict(check.reason);
  };
  const transition = async (res: Response, row: IntegrationRow, action: LifecycleAction, extra: { reason?: string; settings?: Record<string, unknown> } = {}) => {
    await transitionIntegration(ctx, row.id, { action, actor: caller(res).actor, ...extra });
  };

  /** Leaving `error` (expired credentials, invalid mapping…) only when the provider now accepts what is stored. */
  const assertStillAccepted = async (row: IntegrationRow) => {
    const provider = getProvider(row.provider) as ProviderModule;
    await assertAcceptedByProvider(config, { provider, settings: provider.settingsSchema.parse(row.settings), secrets: openSecrets(box, row), credentialsChanging: true, integrationId: row.id });
  };

  router.post('/', async (req, res) => {
    const { workspaceId, actor } = caller(res);
    const body = parseBody(Install, req.body);
    const provider = getProvider(body.provider)!;
    assertReadOnlySettingsKept(provider, body.settings, {});
    const settings = parseWith(provider.settingsSchema, body.settings, 'settings') as Record<string, unknown>;
    const secrets = parseWith(provider.secretsSchema, body.secrets, 'secrets') as Record<string, unknown>;
    await assertDestinationsAllowed(provider, settings, config.allowPrivateDestinations);
    // Secrets we issue (generic webhook / Zapier signing secrets) are generated here and shown once.
    const issued = provider.rotation?.generate && !secrets[provider.rotation.field] ? { field: provider.rotation.field, secret: provider.rotation.generate() } : undefined;
    if (issued) secrets[issued.field] = issued.secret;
    await assertAcceptedByProvider(config, { provider, settings, secrets, credentialsChanging: true });
    const id = await installIntegration(ctx, { workspaceId, actor, provider, settings, secrets, connectReason: 'credentials provided at install' });
    res.status(201).json({ ...view(await reload(workspaceId, id)), ...(issued ? { issuedSecret: issued } : {}) });
  });

  router.get('/', async (req, res) => {
    const { workspaceId } = caller(res);
    const query = parseWith(ListQuery, req.query, 'query');
    const rows = await listIntegrationsWithOverview(db, workspaceId, query);
    res.json({
      data: rows.map((row) => {
        const { healthStatus, lastActivityAt } = overviewOf(row);
        return { ...view(row), overview: { healthStatus, lastActivityAt: lastActivityAt.toISOString() } };
      }),
    });
  });

  router.get('/:id', async (req, res) => {
    const row = await reload(caller(res).workspaceId, req.params.id);
    res.json(integrationView(row, box, config, await integrationHealth(ctx, row)));
  });

  router.patch('/:id', async (req, res) => {
    const { workspaceId } = caller(res);
    const row = await reload(workspaceId, req.params.id);
    const { settings: patch } = parseBody(PatchSettings, req.body);
    assertAllowed(row, 'updateSettings');
    const provider = getProvider(row.provider) as ProviderModule;
    assertReadOnlySettingsKept(provider, patch, row.settings);
    const settings = parseWith(provider.settingsSchema, { ...row.settings, ...patch }, 'settings') as Record<string, unknown>;
    await assertDestinationsAllowed(provider, settings, config.allowPrivateDestinations);
    await assertAcceptedByProvider(config, { provider, settings, secrets: openSecrets(box, row), credentialsChanging: false, integrationId: row.id });
    // The audit trail names what changed (keys only; the values are in the settings themselves).
    const changed = Object.keys(settings).filter((name) => !isDeepStrictEqual(settings[name], row.settings[name]));
    await transition(res, row, 'updateSettings', { settings, reason: changed.length > 0 ? `settings changed: ${changed.join(', ')}` : 'settings saved unchanged' });
    res.json(view(await reload(workspaceId, row.id)));
  });

  for (const action of SIMPLE_ACTIONS) {
    router.post(`/:id/${action}`, async (req, res) => {
      const { workspaceId } = caller(res);
      const row = await reload(workspaceId, req.params.id);
      const { reason } = parseBody(Reason, req.body);
      assertAllowed(row, action);
      if (action === 'connect' && !getProvider(row.provider)!.isAuthorized(openSecrets(box, row))) {
        throw new HttpError(422, 'credentials_missing', 'this integration has no credentials yet: authorize it first (POST …/reauthorize with its secrets)');
      }
      if (row.state === 'error' && (action === 'resume' || action === 'connect')) await assertStillAccepted(row);
      await transition(res, row, action, { reason });
      res.json(view(await reload(workspaceId, row.id)));
    });
  }

  router.post('/:id/reauthorize', async (req, res) => {
    const { workspaceId } = caller(res);
    const row = await reload(workspaceId, req.params.id);
    const body = parseBody(Reauthorize, req.body);
    assertAllowed(row, 'reauthorize');
    const provider = getProvider(row.provider) as ProviderModule;
    const secrets = parseWith(provider.secretsSchema, { ...openSecrets(box, row), ...body.secrets }, 'secrets') as Record<string, unknown>;
    if (!provider.isAuthorized(secrets)) throw invalid([{ path: 'secrets', message: 'these credentials are not enough to authorize the integration' }]);
    // Asked before anything is saved: refused credentials leave the old secrets and the state as they were.
    const settings = provider.settingsSchema.parse(row.settings);
    await assertAcceptedByProvider(config, { provider, settings, secrets, credentialsChanging: true, integrationId: row.id });
    await db
      .updateTable('integrations')
      .set({ ...secretColumns(box, provider, settings, secrets), updated_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    await transition(res, row, 'reauthorize', { reason: body.reason ?? 'credentials replaced' });
    res.json(view(await reload(workspaceId, row.id)));
  });

  return router;
}
