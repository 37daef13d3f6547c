import { createWorkspace } from '../db/queries/workspaces';
import type { Service } from './service';
import { STRIPE_SECRET } from './webhooks';

/** A workspace per phase: its workflows are found by the `WorkspaceId` search attribute, its rows by its id. */
export interface Tenant {
  workspaceId: string;
  key: string;
}

export async function newTenant(service: Pick<Service, 'db'>, name: string): Promise<Tenant> {
  const created = await createWorkspace(service.db, `bench ${name}`);
  return { workspaceId: created.workspace.id, key: created.apiKey.key };
}

/** `POST /v1/…` as the tenant; throws on anything but `expected`. */
export async function apiPost<T>(service: Pick<Service, 'apiUrl'>, tenant: Tenant, path: string, body: unknown, expected: number[] = [200, 201]): Promise<T> {
  const response = await fetch(`${service.apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Installs through the API, as a user would: row, lifecycle workflow, `connect` — active on return. */
export async function installIntegration(service: Pick<Service, 'apiUrl'>, tenant: Tenant, provider: string, settings: unknown, secrets: unknown): Promise<string> {
  const installed = await apiPost<{ id: string; state: string }>(service, tenant, '/v1/integrations', { provider, settings, secrets }, [201]);
  if (installed.state !== 'active') throw new Error(`${provider} integration ${installed.id} is ${installed.state} after install`);
  return installed.id;
}

/** `count` active Stripe integrations verifying with the bench secret (a few installs at a time), taking test-mode events unless `mode` says otherwise. */
export async function installStripe(service: Service, tenant: Tenant, count: number, mode: 'test' | 'live' = 'test'): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 5) {
    const batch = Math.min(5, count - start);
    ids.push(...(await Promise.all(Array.from({ length: batch }, () => installIntegration(service, tenant, 'stripe', { mode }, { webhookSecret: STRIPE_SECRET })))));
  }
  return ids;
}
