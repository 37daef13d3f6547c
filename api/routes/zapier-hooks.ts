import { Router } from 'express';
import { z } from 'zod';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { destinationUrlIssue } from '../destination-guard';
import { invalid, notFound } from '../errors';
import { installIntegration } from '../install-integration';
import { transitionIntegration } from '../transition';
import { parseBody } from '../validate';
import { integrationOfWorkspace } from '../workspace-rows';
import type { ProviderRoute } from './provider-route';
import { zapier } from '../../providers/zapier';

export const Subscribe = z.strictObject({
  target_url: z.url(),
  event: z.enum(zapier.outboundTriggerEvents as [string, ...string[]]),
});

/**
 * Zapier REST hooks. Each subscription is a Zapier integration of its own (`id` = integration id) with
 * the hook's URL and event, so it shares the delivery pipeline, log and health with every destination;
 * unsubscribing — or Zapier answering 410 to a delivery — disconnects it.
 */
function hooksRouter(ctx: ApiContext): Router {
  const { db, config } = ctx;
  const router = Router();
  router.post('/', async (req, res) => {
    const { workspaceId, actor } = caller(res);
    const body = parseBody(Subscribe, req.body);
    const issue = await destinationUrlIssue(body.target_url, 'target_url', config.allowPrivateDestinations);
    if (issue) throw invalid([issue]);
    const settings = zapier.settingsSchema.parse({ targetUrl: body.target_url, triggerEvents: [body.event] });
    const id = await installIntegration(ctx, {
      workspaceId,
      actor,
      provider: zapier,
      settings,
      secrets: { signingSecret: zapier.rotation!.generate!() },
      connectReason: 'Zapier REST hook subscribed',
    });
    res.status(201).json({ id, event: body.event, target_url: body.target_url });
  });
  router.delete('/:id', async (req, res) => {
    const { workspaceId, actor } = caller(res);
    const row = await integrationOfWorkspace(db, workspaceId, req.params.id);
    if (row.provider !== zapier.id) throw notFound(`hook ${req.params.id}`);
    if (row.state !== 'disconnected') await transitionIntegration(ctx, row.id, { action: 'disconnect', actor, reason: 'Zapier REST hook unsubscribed' });
    res.status(204).end();
  });
  return router;
}

/** `POST /v1/hooks` subscribes, `DELETE /v1/hooks/:id` unsubscribes (Zapier's REST hook contract). */
export const zapierRoutes: ProviderRoute[] = [{ mount: { v1: '/hooks' }, router: hooksRouter }];
