import { bearer, type FakeProviderApi, startFakeProviderApi } from './fake-provider-api';

export const PIPELINES_PATH = '/crm/v3/pipelines/deals';

export interface FakeHubspotApi extends FakeProviderApi {
  /** The account's deal stage ids (one pipeline); replace to change the account under the integration. */
  stages: string[];
}

/** `GET /crm/v3/pipelines/deals` with a bearer token, as HubSpot answers it. */
export async function startFakeHubspotApi(tokens: string[], stages = ['appointmentscheduled', 'closedwon', 'closedlost']): Promise<FakeHubspotApi> {
  const state = { stages };
  const api = await startFakeProviderApi(
    {
      tokenOf: bearer,
      route: (path) =>
        path === PIPELINES_PATH
          ? { results: [{ id: 'default', label: 'Sales Pipeline', stages: state.stages.map((id, displayOrder) => ({ id, label: id, displayOrder })) }] }
          : undefined,
      unauthorized: { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' },
    },
    tokens,
  );
  return Object.defineProperty(api, 'stages', { get: () => state.stages, set: (next: string[]) => (state.stages = next) }) as FakeHubspotApi;
}
