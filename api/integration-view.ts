import { type Config, inboundWebhookUrl } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import type { IntegrationHealth } from '../services/diagnostics/health';
import { openSecrets } from '../db/queries/secrets';
import type { IntegrationRow } from '../db/schema';
import { getProvider } from '../providers';
import { MASK } from '../lib/mask';
import { ACTIONS, checkTransition } from '../contract/lifecycle';
import { integrationWorkflowId } from '../contract/search-attributes';


/** Which secrets are set, never their values. */
function maskSecrets(box: SecretBox, row: Pick<IntegrationRow, 'secrets_sealed'>): Record<string, string> {
  const secrets = openSecrets(box, row);
  return Object.fromEntries(Object.entries(secrets).filter(([, value]) => value !== undefined && value !== null && value !== '').map(([key]) => [key, MASK]));
}

/** The API's view of an integration: state, settings, masked secrets, installation metadata. */
export function integrationView(row: IntegrationRow, box: SecretBox, config: Config, health?: IntegrationHealth) {
  const provider = getProvider(row.provider);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    provider: row.provider,
    state: row.state,
    settings: row.settings,
    secrets: maskSecrets(box, row),
    installation: {
      installedAt: row.installed_at.toISOString(),
      installedBy: row.installed_by,
      externalAccountId: row.external_account_id,
      inboundWebhookUrl: provider?.capabilities.inbound ? inboundWebhookUrl(config, row) : null,
    },
    lastStateChange: { at: row.state_changed_at.toISOString(), by: row.state_changed_by, reason: row.state_reason },
    /** What the transition table allows from this state, with the reason for each refused action (the UI disables those). */
    actions: ACTIONS.filter((action) => action !== 'fail').map((action) => {
      const check = checkTransition(row.state, action);
      return check.ok ? { action, allowed: true } : { action, allowed: false, reason: check.reason };
    }),
    links: { temporalUi: `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(integrationWorkflowId(row.id))}` },
    ...(health ? { health } : {}),
    updatedAt: row.updated_at.toISOString(),
  };
}
