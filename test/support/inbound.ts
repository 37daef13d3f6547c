import type { Harness } from './harness';
import { waitFor } from './harness';

/** Shortcuts over the API and the database for inbound tests. */
export function inboundHelpers(h: Harness, key: () => string) {
  const install = async (provider: string, settings: Record<string, unknown>, secrets: Record<string, unknown>) => {
    const response = await h.api('POST', '/v1/integrations', { key: key(), body: { provider, settings, secrets } });
    if (response.status !== 201) throw new Error(`install ${provider}: ${response.status} ${response.text}`);
    return response.body as { id: string; state: string; installation: { inboundWebhookUrl: string } };
  };
  const inbox = (integrationId: string) =>
    h.db.selectFrom('inbox').selectAll().where('integration_id', '=', integrationId).orderBy('id').execute();
  /** Waits until `count` inbox rows exist and none is pending. */
  const settled = (integrationId: string, count: number) =>
    waitFor(async () => {
      const rows = await inbox(integrationId);
      return rows.length >= count && rows.every((row) => row.status !== 'pending') && rows;
    }, `${count} settled inbox rows of ${integrationId}`);
  const conversions = (integrationId: string) =>
    h.db.selectFrom('conversions').selectAll().where('integration_id', '=', integrationId).orderBy('occurred_at').orderBy('id').execute();
  const customers = (integrationId: string) =>
    h.db.selectFrom('customers').selectAll().where('integration_id', '=', integrationId).orderBy('external_id').execute();
  const state = async (integrationId: string) =>
    (await h.db.selectFrom('integrations').select('state').where('id', '=', integrationId).executeTakeFirstOrThrow()).state;
  return { install, inbox, settled, conversions, customers, state };
}
