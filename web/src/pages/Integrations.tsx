import { useState } from 'react';
import { api } from '../api/client';
import { everyValue, type IntegrationList, type IntegrationState, type ProviderList } from '../api/types';
import { Badge, ErrorMessage, Loading, Select, useLoad, when } from '../components/ui';

const STATES = everyValue<IntegrationState>({ pending: true, active: true, paused: true, error: true, disconnected: true });

export function Integrations() {
  const [provider, setProvider] = useState('');
  const [state, setState] = useState('');
  const query = new URLSearchParams({ ...(provider ? { provider } : {}), ...(state ? { state } : {}) }).toString();
  const providers = useLoad(() => api<ProviderList>('/providers'), []);
  const list = useLoad(() => api<IntegrationList>(`/integrations${query ? `?${query}` : ''}`), [query]);
  // The id until the catalog has loaded (or for a provider it no longer lists).
  const displayName = (id: string) => providers.data?.data.find((p) => p.id === id)?.displayName ?? id;
  return (
    <main>
      <h1>Installed integrations</h1>
      <div className="filters">
        <Select label="Provider" value={provider} options={providers.data?.data.map((p) => ({ value: p.id, label: p.displayName })) ?? []} onChange={setProvider} all="All providers" />
        <Select label="State" value={state} options={STATES} onChange={setState} all="All states" />
      </div>
      <ErrorMessage error={list.error ?? providers.error} />
      {!list.data ? (
        <Loading what="integrations" />
      ) : list.data.data.length === 0 ? (
        <p>
          No integration matches. <a href="#/catalog">Install one from the catalog.</a>
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Integration</th>
              <th>State</th>
              <th>Health</th>
              <th>Installed</th>
              <th>Last activity</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((integration) => (
              <tr key={integration.id} data-testid="integration-row">
                <td>
                  <a href={`#/integrations/${integration.id}`}>{displayName(integration.provider)}</a> <code className="muted">{integration.id}</code>
                </td>
                <td>
                  <Badge value={integration.state} />
                </td>
                <td>{integration.overview ? <Badge value={integration.overview.healthStatus} kind="health" /> : null}</td>
                <td>{when(integration.installation.installedAt)}</td>
                <td data-testid="last-activity">{integration.overview ? when(integration.overview.lastActivityAt) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
