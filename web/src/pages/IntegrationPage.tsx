import { useState } from 'react';
import { api } from '../api/client';
import type { Integration, ProviderList } from '../api/types';
import { Badge, Copyable, ErrorMessage, Loading, Section, useLoad, when } from '../components/ui';
import { Diagnostics, HealthPanel, TestRun } from '../integration/Checks';
import { Lifecycle } from '../integration/Lifecycle';
import { AuditTrail, DeliveryLog, InboundLog } from '../integration/Logs';
import { Secrets, SettingsEditor } from '../integration/Settings';

export function IntegrationPage({ integrationId }: { integrationId: string }) {
  // Bumped after every change, so the sections that read the integration's history load again.
  const [version, setVersion] = useState(0);
  // The delivery whose attempts are open (from its row, or a diagnostics finding).
  const [openDelivery, setOpenDelivery] = useState<string>();
  const { data, error } = useLoad(
    () => Promise.all([api<Integration>(`/integrations/${encodeURIComponent(integrationId)}`), api<ProviderList>('/providers')]),
    [integrationId, version],
  );
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the integration" />;
  const [integration, { data: providers }] = data;
  const provider = providers.find((p) => p.id === integration.provider);
  if (!provider) return <ErrorMessage error={new Error(`This integration's provider, ${integration.provider}, is no longer in the catalog.`)} />;
  const changed = () => setVersion((n) => n + 1);
  return (
    <main>
      <p>
        <a href="#/integrations">← Installed integrations</a>
      </p>
      <h1>
        {provider.displayName} <Badge value={integration.state} />
      </h1>
      <Section title="Installation">
        <dl className="facts">
          <div><dt>Integration id</dt><dd><Copyable value={integration.id} label="integration id" /></dd></div>
          <div><dt>Installed</dt><dd>{when(integration.installation.installedAt)} by <code>{integration.installation.installedBy}</code></dd></div>
          <div><dt>External account</dt><dd>{integration.installation.externalAccountId ?? '—'}</dd></div>
          {integration.installation.inboundWebhookUrl ? (
            <div><dt>Inbound webhook URL</dt><dd><Copyable value={integration.installation.inboundWebhookUrl} label="inbound webhook URL" /></dd></div>
          ) : null}
          <div>
            <dt>Last change</dt>
            <dd data-testid="last-change">
              {integration.state} since {when(integration.lastStateChange.at)} ({integration.lastStateChange.reason ?? 'no reason given'}, by <code>{integration.lastStateChange.by}</code>)
            </dd>
          </div>
          <div><dt>Workflow</dt><dd><a href={integration.links.temporalUi} target="_blank" rel="noreferrer">Open in the Temporal Web UI</a></dd></div>
        </dl>
      </Section>
      <Lifecycle integration={integration} onChanged={changed} />
      <HealthPanel integration={integration} />
      <Diagnostics integrationId={integration.id} version={version} onChanged={changed} onOpenDelivery={setOpenDelivery} />
      <TestRun integrationId={integration.id} />
      {/* Started again from what is stored once a change has landed (not on `version`: that bump renders the old integration while it reloads). */}
      <SettingsEditor key={`settings-${integration.updatedAt}`} integration={integration} provider={provider} onChanged={changed} />
      <Secrets integration={integration} provider={provider} onChanged={changed} />
      {provider.capabilities.inbound ? <InboundLog integrationId={integration.id} version={version} /> : null}
      {provider.capabilities.outbound ? <DeliveryLog integrationId={integration.id} version={version} onChanged={changed} opened={openDelivery} onOpen={setOpenDelivery} /> : null}
      <AuditTrail integrationId={integration.id} version={version} />
    </main>
  );
}
