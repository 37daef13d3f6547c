import { type ReactNode, useState } from 'react';
import { api } from '../api/client';
import type { Customer, WorkspaceEvent } from '../api/types';
import { Listing, Section, useLoad, when } from '../components/ui';

/** `?name=value` of the filters set, for a listing endpoint (an empty filter is left out). */
const queryOf = (filters: Record<string, string>) => {
  const set = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
  return set.size ? `?${set.toString()}` : '';
};

/** A recent-records table: its listing loaded from `path` with the filters set, the filter controls in its header. */
function RecentRecords<T extends { id: string }>({ title, path, filters, controls, what, ...table }: {
  title: string;
  path: string;
  filters: Record<string, string>;
  controls: ReactNode;
  what: string;
  head: string[];
  cells: (row: T) => ReactNode[];
  rowTestId: string;
}) {
  const query = queryOf(filters);
  const list = useLoad(() => api<{ data: T[] }>(`${path}${query}`), [path, query]);
  return (
    <Section title={title} actions={controls}>
      <Listing rows={list.data?.data} error={list.error} what={what} label={title} {...table} />
    </Section>
  );
}

/** Recent customers, filterable by the integration that recorded them; test rows only when asked for. */
export function RecentCustomers() {
  const [integrationId, setIntegrationId] = useState('');
  const [includeTest, setIncludeTest] = useState(false);
  return (
    <RecentRecords<Customer>
      title="Recent customers"
      path="/customers"
      filters={{ integrationId: integrationId.trim(), includeTest: includeTest ? 'true' : '' }}
      controls={
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
      what="customers"
      rowTestId="customer"
      head={['Created', 'Name', 'Email', 'Provider', 'External id', 'Id']}
      cells={(row) => [when(row.createdAt), row.name ?? '', row.email ?? '', row.provider, <code>{row.externalId}</code>, <code>{row.id}</code>]}
    />
  );
}

/** Recent workspace events (what destinations are sent), filterable by type. */
export function RecentEvents() {
  const [type, setType] = useState('');
  return (
    <RecentRecords<WorkspaceEvent>
      title="Recent events"
      path="/events"
      filters={{ type: type.trim() }}
      controls={
        <label>
          Event type
          <input value={type} placeholder="sale.created" onChange={(e) => setType(e.target.value)} />
        </label>
      }
      what="events"
      rowTestId="workspace-event"
      head={['Created', 'Type', 'Integration', 'Id']}
      cells={(row) => [when(row.createdAt), <code>{row.type}</code>, <code>{row.integrationId ?? 'posted to /v1/events'}</code>, <code>{row.id}</code>]}
    />
  );
}
