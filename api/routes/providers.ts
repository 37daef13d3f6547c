import { Router } from 'express';
import { getProvider, jsonSchemaOf, providers } from '../../providers';
import type { ProviderModule } from '../../providers/types';
import { notFound } from '../errors';

/**
 * The catalog entry a UI renders: what each inbound event type records, settings and secrets as JSON
 * Schema (secrets by name only), which secret rotates (with a grace period), if any, and how it is installed.
 */
function catalogEntry(provider: ProviderModule) {
  return {
    id: provider.id,
    displayName: provider.displayName,
    class: provider.class,
    description: provider.description,
    capabilities: provider.capabilities,
    inboundEventTypes: provider.inboundEvents.map((event) => event.type),
    inboundEvents: provider.inboundEvents,
    outboundTriggerEvents: provider.outboundTriggerEvents,
    settingsSchema: jsonSchemaOf(provider.settingsSchema),
    secretsSchema: jsonSchemaOf(provider.secretsSchema),
    secretRotation: provider.rotation ? { field: provider.rotation.field, issuedBy: provider.rotation.generate ? 'linquid' : 'provider' } : null,
    install: provider.installsWithOAuth ? { method: 'oauth' as const, start: `/v1/integrations/${provider.id}/install` } : { method: 'form' as const },
  };
}

export function providersRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ data: providers.map(catalogEntry) });
  });
  router.get('/:providerId', (req, res) => {
    const provider = getProvider(req.params.providerId);
    if (!provider) throw notFound(`provider ${req.params.providerId}`);
    res.json(catalogEntry(provider));
  });
  return router;
}
