import { bearer, type FakeProviderApi, startFakeProviderApi } from './fake-provider-api';
import type { ReceivedRequest, Reply } from './http-server';

export const PIPELINES_PATH = '/crm/v3/pipelines/deals';
export const DEALS_READ_PATH = '/crm/v3/objects/deals/batch/read';
export const DEAL_CONTACTS_PATH = '/crm/v4/associations/deals/contacts/batch/read';
export const CONTACTS_READ_PATH = '/crm/v3/objects/contacts/batch/read';

/** A deal as the account holds it; `amount` in major units as HubSpot keeps it ("1500.125"), absent or null: none set. */
export interface FakeDeal {
  amount?: string | null;
  currency?: string;
  name?: string;
  contactIds?: string[];
  /** `hs_lastmodifieddate`; defaults to the time of the read (as if the deal had just changed). */
  updatedAt?: Date;
}

export interface FakeContact {
  email?: string;
  firstname?: string;
  lastname?: string;
}

export interface FakeHubspotApi extends FakeProviderApi {
  /** The account's deal stage ids (one pipeline); replace to change the account under the integration. */
  stages: string[];
  /** The account's deals and contacts by id: set them as the test's HubSpot account holds them. */
  deals: Map<string, FakeDeal>;
  contacts: Map<string, FakeContact>;
}

const idsOf = (request: ReceivedRequest) => (JSON.parse(request.body) as { inputs: Array<{ id: string }> }).inputs.map((input) => String(input.id));

/** HubSpot answers a batch read with 200 when it found every id, else 207 with the missing ones as errors. */
function batchAnswer(results: unknown[], missing: string[], objectType: string): Reply {
  const timing = { startedAt: new Date().toISOString(), completedAt: new Date().toISOString() };
  if (missing.length === 0) return { status: 200, body: { status: 'COMPLETE', results, ...timing } };
  const error = { status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some ${objectType} objects, they may be deleted or not exist.`, context: { ids: missing } };
  return { status: 207, body: { status: 'COMPLETE', results, numErrors: 1, errors: [error], ...timing } };
}

/**
 * The parts of HubSpot's CRM API we call, with a bearer token: deal pipelines, and the batch reads of
 * deals (v3), deal→contact associations (v4) and contacts (v3), answering as HubSpot does.
 */
export async function startFakeHubspotApi(tokens: string[], stages = ['appointmentscheduled', 'closedwon', 'closedlost']): Promise<FakeHubspotApi> {
  const state = { stages, deals: new Map<string, FakeDeal>(), contacts: new Map<string, FakeContact>() };
  const createdAt = new Date().toISOString();
  const readDeals = (request: ReceivedRequest): Reply => {
    const ids = idsOf(request);
    const found = ids.filter((id) => state.deals.has(id));
    const results = found.map((id) => {
      const deal = state.deals.get(id)!;
      const updatedAt = (deal.updatedAt ?? new Date()).toISOString();
      const properties = { amount: deal.amount ?? null, deal_currency_code: deal.currency ?? null, dealname: deal.name ?? null, hs_object_id: id, createdate: createdAt, hs_lastmodifieddate: updatedAt };
      return { id, properties, createdAt, updatedAt, archived: false };
    });
    return batchAnswer(results, ids.filter((id) => !found.includes(id)), 'DEAL');
  };
  const readAssociations = (request: ReceivedRequest): Reply => {
    const ids = idsOf(request);
    const linked = ids.filter((id) => (state.deals.get(id)?.contactIds ?? []).length > 0);
    const results = linked.map((id) => ({
      from: { id },
      to: state.deals.get(id)!.contactIds!.map((contactId) => ({ toObjectId: Number(contactId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] })),
    }));
    return batchAnswer(results, ids.filter((id) => !linked.includes(id)), 'DEAL');
  };
  const readContacts = (request: ReceivedRequest): Reply => {
    const ids = idsOf(request);
    const found = ids.filter((id) => state.contacts.has(id));
    const results = found.map((id) => ({ id, properties: { ...state.contacts.get(id), hs_object_id: id }, createdAt, updatedAt: createdAt, archived: false }));
    return batchAnswer(results, ids.filter((id) => !found.includes(id)), 'CONTACT');
  };
  const batchReads: Record<string, (request: ReceivedRequest) => Reply> = {
    [DEALS_READ_PATH]: readDeals,
    [DEAL_CONTACTS_PATH]: readAssociations,
    [CONTACTS_READ_PATH]: readContacts,
  };
  const api = await startFakeProviderApi(
    {
      tokenOf: bearer,
      route: (path) =>
        path === PIPELINES_PATH
          ? { results: [{ id: 'default', label: 'Sales Pipeline', stages: state.stages.map((id, displayOrder) => ({ id, label: id, displayOrder })) }] }
          : undefined,
      reply: (request) => (request.method === 'POST' && Object.hasOwn(batchReads, request.path) ? batchReads[request.path](request) : undefined),
      unauthorized: { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' },
    },
    tokens,
  );
  return Object.defineProperties(api, {
    stages: { get: () => state.stages, set: (next: string[]) => (state.stages = next) },
    deals: { value: state.deals },
    contacts: { value: state.contacts },
  }) as FakeHubspotApi;
}
