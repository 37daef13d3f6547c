import { slackRoutes } from './slack-install';
import type { ProviderRoute } from './provider-route';
import { zapierRoutes } from './zapier-hooks';

/** Endpoints of their own that some providers need; the API mounts them without knowing whose they are. */
export const providerRoutes: ProviderRoute[] = [...slackRoutes, ...zapierRoutes];
