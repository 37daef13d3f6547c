import { Router } from 'express';
import { integrationOfWorkspace } from '../db/queries/integrations';
import { checkDestinationUrl, DestinationRefusedError } from '../lib/ssrf';
import { getProvider } from '../providers';
import type { ProviderModule } from '../providers/types';
import { caller } from './auth';
import type { ApiContext } from './context';
import { type FieldIssue, invalid } from './errors';

/** The issue for a destination URL the SSRF guard refuses (https only; no private, loopback, link-local host). */
export async function destinationUrlIssue(url: string, path: string, allowPrivate: boolean): Promise<FieldIssue | undefined> {
  try {
    await checkDestinationUrl(url, allowPrivate);
    return undefined;
  } catch (error) {
    if (error instanceof DestinationRefusedError) return { path, message: error.message };
    throw error;
  }
}

/** Refuses the provider's destination URLs in `settings` with a 400 naming each field; invalid settings are left to the route. */
async function assertDestinationsAllowed(provider: ProviderModule, settings: unknown, allowPrivate: boolean): Promise<void> {
  const parsed = provider.settingsSchema.safeParse(settings);
  if (!parsed.success || !provider.outbound?.destinationUrls) return;
  const found = await Promise.all(
    provider.outbound.destinationUrls(parsed.data).map(({ field, url }) => destinationUrlIssue(url, `settings.${field}`, allowPrivate)),
  );
  const issues = found.filter((issue): issue is FieldIssue => issue !== undefined);
  if (issues.length > 0) throw invalid(issues);
}

const objectOrEmpty = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Mounted ahead of the integrations router: the SSRF guard for destination URLs at install
 * (`POST /`) and settings change (`PATCH /:id`), DNS-resolved. Checked again at delivery time.
 */
export function destinationGuard({ db, config }: ApiContext): Router {
  const router = Router();
  router.post('/', async (req, _res, next) => {
    const body = objectOrEmpty(req.body);
    const provider = typeof body.provider === 'string' ? getProvider(body.provider) : undefined;
    if (provider) await assertDestinationsAllowed(provider, objectOrEmpty(body.settings), config.allowPrivateDestinations);
    next();
  });
  router.patch('/:id', async (req, res, next) => {
    const row = await integrationOfWorkspace(db, caller(res).workspaceId, req.params.id);
    const settings = { ...row.settings, ...objectOrEmpty(objectOrEmpty(req.body).settings) };
    await assertDestinationsAllowed(getProvider(row.provider)!, settings, config.allowPrivateDestinations);
    next();
  });
  return router;
}
