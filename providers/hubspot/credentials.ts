import { z } from 'zod';
import { type ApiAnswer, apiBase, credentialVerdict, getJson } from '../shared/api-check';
import { type CredentialContext, type CredentialsHandler, ProviderApiError } from '../types';
import type { HubspotSecrets, HubspotSettings } from './schema';

const pipelinesSchema = z.looseObject({
  results: z.array(z.looseObject({ label: z.string().optional(), stages: z.array(z.looseObject({ id: z.string(), label: z.string().optional() })) })),
});

/** Reads per check: `check` and `validateSettings` get the same context and share one call. */
const pipelineReads = new WeakMap<object, Promise<ApiAnswer>>();

/** The account's deal pipelines: a cheap read that works with OAuth and private-app tokens alike. */
function readPipelines(ctx: CredentialContext<HubspotSettings, HubspotSecrets>): Promise<ApiAnswer> {
  let read = pipelineReads.get(ctx);
  if (!read) {
    read = getJson(`${apiBase(ctx.apiUrl, 'https://api.hubapi.com')}/crm/v3/pipelines/deals`, { authorization: `Bearer ${ctx.secrets.accessToken}` }, ctx.timeoutMs);
    pipelineReads.set(ctx, read);
  }
  return read;
}

export const hubspotCredentials: CredentialsHandler<HubspotSettings, HubspotSecrets> = {
  check: async (ctx) => {
    if (!ctx.secrets.accessToken) return 'unchecked';
    return credentialVerdict((await readPipelines(ctx)).status, 'HubSpot');
  },
  /** `closedWonStageId` must be a stage of one of the account's deal pipelines, or no sale is ever recorded. */
  validateSettings: async (ctx) => {
    if (!ctx.secrets.accessToken) return [];
    const answer = await readPipelines(ctx);
    if (credentialVerdict(answer.status, 'HubSpot') !== 'ok') return [];
    const parsed = pipelinesSchema.safeParse(answer.body);
    if (!parsed.success) throw new ProviderApiError('HubSpot answered an unexpected deal pipelines body');
    const allowed = parsed.data.results.flatMap((pipeline) => pipeline.stages.map((stage) => stage.id));
    if (allowed.includes(ctx.settings.closedWonStageId)) return [];
    return [
      {
        path: 'settings.closedWonStageId',
        message: `deal stage "${ctx.settings.closedWonStageId}" is not a stage of any deal pipeline in this HubSpot account`,
        allowed,
      },
    ];
  },
};
