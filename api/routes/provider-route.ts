import type { Router } from 'express';
import type { ApiContext } from '../context';

/**
 * An HTTP endpoint only one provider has (an OAuth install, REST hook subscriptions), listed in
 * ./provider-routes and mounted by the API: under `/v1` behind the API key (before the integration routes, so a path like
 * `/integrations/slack/install` is not read as an integration id), or `public` at the root for callers
 * without a key (a provider's OAuth redirect).
 */
export interface ProviderRoute {
  mount: { v1: string } | { public: string };
  router(ctx: ApiContext): Router;
}
