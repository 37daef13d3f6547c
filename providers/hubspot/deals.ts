import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Client } from '@hubspot/api-client';
import { apiBase } from '../shared/api-check';
import type { AmountPending, CredentialContext } from '../types';
import type { HubspotSecrets, HubspotSettings } from './schema';

/** What a sale needs from a deal, as HubSpot's CRM API reports it. */
export interface DealRecord {
  id: string;
  /** Major units as HubSpot keeps them ("1500.125"); null when the deal has no amount. */
  amount: string | null;
  /** The deal's own currency in a multi-currency account; null: the account's company currency. */
  currency: string | null;
  name: string | null;
  /** When HubSpot last changed the deal (ISO-8601): the read's amount is true as of then. */
  updatedAt: string;
  /** The deal's first associated contact. */
  contact?: { id: string; email: string | null; name: string | null };
}

/** The deals read, by id, or why none could be read. */
export type DealsRead = { deals: Map<string, DealRecord> } | { failure: AmountPending };

const DEAL_PROPERTIES = ['amount', 'deal_currency_code', 'dealname'];
const CONTACT_PROPERTIES = ['email', 'firstname', 'lastname'];
/** HubSpot's batch endpoints take at most 100 inputs. */
export const MAX_BATCH = 100;

type HubspotContext = CredentialContext<HubspotSettings, Partial<HubspotSecrets>>;

class ReadTimeout extends Error {}

/** HubSpot's client answers a non-2xx with an error carrying the HTTP status as `code`. */
const statusOf = (error: unknown) => (typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : undefined);

function failureOf(error: unknown): AmountPending {
  const status = statusOf(error);
  if (status === 401 || status === 403) return { code: 'refused', reason: `HubSpot refused the access token (HTTP ${status}): it may be revoked or lack the crm.objects.deals.read scope` };
  const detail = error instanceof ReadTimeout ? error.message : status ? `HTTP ${status}` : error instanceof Error ? error.message : String(error);
  return { code: 'unreachable', reason: `HubSpot's API could not be asked: ${detail}` };
}

/**
 * Batch-reads deals (amount, currency, name), their associated contacts and those contacts' email and
 * name through the official client, with one deadline for all of it. Never throws: a missing token, a
 * refusal or an unreachable API is the `failure`; a deal HubSpot does not return is left out.
 */
export async function readDeals(ids: string[], ctx: HubspotContext): Promise<DealsRead> {
  const accessToken = ctx.secrets.accessToken;
  if (!accessToken) return { failure: { code: 'no_credentials', reason: 'no access token is stored: HubSpot sends no deal amount with its webhooks, and the deal cannot be read' } };
  const basePath = apiBase(ctx.apiUrl, 'https://api.hubapi.com');
  // Its own agent, destroyed at the deadline: the client has no timeout, and a hung socket must not outlive the read.
  const httpAgent = basePath.startsWith('https:') ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
  const client = new Client({ accessToken, basePath, httpAgent, numberOfApiCallRetries: 0 });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadTimeout(`no answer within ${ctx.timeoutMs} ms`)), ctx.timeoutMs);
  });
  try {
    return { deals: await Promise.race([readAll(client, ids.slice(0, MAX_BATCH)), deadline]) };
  } catch (error) {
    return { failure: failureOf(error) };
  } finally {
    clearTimeout(timer);
    httpAgent.destroy();
  }
}

/** A batch read none of whose ids exist may answer 404: nothing found, not a failure. */
async function found<T>(read: Promise<{ results: T[] }>): Promise<T[]> {
  try {
    return (await read).results;
  } catch (error) {
    if (statusOf(error) === 404) return [];
    throw error;
  }
}

async function readAll(client: Client, ids: string[]): Promise<Map<string, DealRecord>> {
  const inputs = ids.map((id) => ({ id }));
  const [deals, associations] = await Promise.all([
    found(client.crm.deals.batchApi.read({ inputs, properties: DEAL_PROPERTIES, propertiesWithHistory: [] })),
    found(client.crm.associations.v4.batchApi.getPage('deals', 'contacts', { inputs })),
  ]);
  const contactOf = new Map<string, string>();
  for (const association of associations) {
    const [first] = association.to;
    if (first) contactOf.set(String(association._from.id), String(first.toObjectId));
  }
  const contactIds = [...new Set(contactOf.values())];
  const contacts =
    contactIds.length === 0 ? [] : await found(client.crm.contacts.batchApi.read({ inputs: contactIds.map((id) => ({ id })), properties: CONTACT_PROPERTIES, propertiesWithHistory: [] }));
  const contactById = new Map(contacts.map((contact) => [String(contact.id), contact.properties]));
  const read = new Map<string, DealRecord>();
  for (const deal of deals) {
    const id = String(deal.id);
    const contactId = contactOf.get(id);
    const contact = contactId === undefined ? undefined : contactById.get(contactId);
    const name = [contact?.firstname, contact?.lastname].filter(Boolean).join(' ');
    read.set(id, {
      id,
      amount: deal.properties.amount || null,
      currency: deal.properties.deal_currency_code || null,
      name: deal.properties.dealname || null,
      updatedAt: new Date(deal.updatedAt).toISOString(),
      ...(contactId !== undefined && { contact: { id: contactId, email: contact?.email || null, name: name || null } }),
    });
  }
  return read;
}
