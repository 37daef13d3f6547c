import { checkDestinationUrl, DestinationRefusedError } from '../lib/ssrf';
import type { ProviderModule } from '../providers/types';
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

/**
 * The SSRF guard for destination URLs at install and settings change, DNS-resolved: refuses the
 * provider's destination URLs in (parsed) `settings` with a 400 naming each field. Checked again at
 * delivery time.
 */
export async function assertDestinationsAllowed(provider: ProviderModule, settings: unknown, allowPrivate: boolean): Promise<void> {
  if (!provider.outbound?.destinationUrls) return;
  const found = await Promise.all(
    provider.outbound.destinationUrls(settings).map(({ field, url }) => destinationUrlIssue(url, `settings.${field}`, allowPrivate)),
  );
  const issues = found.filter((issue): issue is FieldIssue => issue !== undefined);
  if (issues.length > 0) throw invalid(issues);
}
