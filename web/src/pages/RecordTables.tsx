import { useState } from 'react';
import { api } from '../api/client';
import type { CustomerPage, WorkspaceEventPage } from '../api/types';
import { ErrorMessage, Loading, Section, useLoad, when } from '../components/ui';

/** `?name=value` of the filters set, for a listing endpoint (an empty filter is left out). */
const queryOf = (filters: Record<string, string>) => {
  const set = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
  return set.size ? `?${set.toString()}` : '';
};

/** Recent customers, filterable by the integration that recorded them; test rows only when asked for. */
export function RecentCustomers() {
  const [integrationId, setIntegrationId] = useState('');
  const [includeTest, setIncludeTest] = useState(false);
  const filter = queryOf({ integrationId: integrationId.trim(), includeTest: includeTest ? 'true' : '' });
  const list = useLoad(() => api<CustomerPage>(`/customers${filter}`), [filter]);
  return (
    <Section
      title="Recent customers"
      actions={
        <>
          <label>
            Integration id
            <input value={integrationId} placeholder="int_…" onChange={(e) => setIntegrationId(e.target.value)} />
          </label>
          <label>
            <input type="checkbox" checked={includeTest} onChange={(e) => setIncludeTest(e.target.checked)} /> Include test data
          </label>
        </>
      }
    >
      <ErrorMessage error={list.error} />
      {!list.data ? (
        list.loading ? <Loading what="customers" /> : null
      ) : (
        <table aria-label="Recent customers">
          <thead>
            <tr><th>Created</th><th>Name</th><th>Email</th><th>Provider</th><th>External id</th><th>Id</th></tr>
          </thead>
          <tbody>
            {list.data.data.map((row) => (
              <tr key={row.id} data-testid="customer">
                <td>{when(row.createdAt)}</td>
                <td>{row.name ?? ''}</td>
                <td>{row.email ?? ''}</td>
                <td>{row.provider}</td>
                <td><code>{row.externalId}</code></td>
                <td><code>{row.id}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** Recent workspace events (what destinations are sent), filterable by type. */
export function RecentEvents() {
  const [type, setType] = useState('');
  const filter = queryOf({ type: type.trim() });
  const list = useLoad(() => api<WorkspaceEventPage>(`/events${filter}`), [filter]);
  return (
    <Section
      title="Recent events"
      actions={
        <label>
          Event type
          <input value={type} placeholder="sale.created" onChange={(e) => setType(e.target.value)} />
        </label>
      }
    >
      <ErrorMessage error={list.error} />
      {!list.data ? (
        list.loading ? <Loading what="events" /> : null
      ) : (
        <table aria-label="Recent events">
          <thead>
            <tr><th>Created</th><th>Type</th><th>Integration</th><th>Id</th></tr>
          </thead>
          <tbody>
            {list.data.data.map((row) => (
              <tr key={row.id} data-testid="workspace-event">
                <td>{when(row.createdAt)}</td>
                <td><code>{row.type}</code></td>
                <td><code>{row.integrationId ?? 'posted to /v1/events'}</code></td>
                <td><code>{row.id}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
