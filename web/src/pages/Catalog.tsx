import { useState } from 'react';
import { api } from '../api/client';
import type { IntegrationList, ProviderList } from '../api/types';
import { Badge, ErrorMessage, Loading, useLoad } from '../components/ui';

const CLASS_TITLES: Record<string, string> = { payments: 'Payments', crm: 'CRM', ecommerce: 'E-commerce', automation: 'Chat & automation', chat: 'Chat & automation' };

export function Catalog() {
  const [query, setQuery] = useState('');
  const { data, error } = useLoad(() => Promise.all([api<ProviderList>('/providers'), api<IntegrationList>('/integrations')]), []);
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what="the catalog" />;
  const [{ data: providers }, { data: installed }] = data;
  const needle = query.trim().toLowerCase();
  const shown = providers.filter((p) => !needle || `${p.displayName} ${p.description} ${p.class}`.toLowerCase().includes(needle));
  const groups = [...new Set(shown.map((p) => CLASS_TITLES[p.class] ?? p.class))];
  return (
    <main>
      <h1>Catalog</h1>
      <label htmlFor="catalog-search">Search providers</label>
      <input id="catalog-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Stripe, CRM, deliver…" />
      {groups.length === 0 ? <p>No provider matches “{query}”.</p> : null}
      {groups.map((group) => (
        <section key={group} aria-label={group}>
          <h2>{group}</h2>
          <ul className="tiles">
            {shown
              .filter((p) => (CLASS_TITLES[p.class] ?? p.class) === group)
              .map((provider) => {
                const mine = installed.filter((i) => i.provider === provider.id && i.state !== 'disconnected');
                return (
                  <li key={provider.id} className="card tile">
                    <h3>
                      <a href={`#/providers/${provider.id}`}>{provider.displayName}</a>
                    </h3>
                    <p>{provider.description}</p>
                    <p className="caps">
                      {provider.capabilities.inbound ? <span className="cap">Receives</span> : null}
                      {provider.capabilities.outbound ? <span className="cap">Delivers</span> : null}
                      {mine.length ? <Badge value={mine[0]!.state} /> : <span className="muted">Not installed</span>}
                    </p>
                  </li>
                );
              })}
          </ul>
        </section>
      ))}
    </main>
  );
}
