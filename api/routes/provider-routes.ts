import { slackRoutes } from './slack-install';
import type { ProviderRoute } from '../../providers/types';
import { zapierRoutes } from './zapier-hooks';

/**
 * Endpoints of their own that some providers need; the API mounts them without knowing whose they are.
 * Kept apart from the catalog (./index) so that workers, which load every provider, do not load the API.
 */
export const providerRoutes: ProviderRoute[] = [...slackRoutes, ...zapierRoutes];
