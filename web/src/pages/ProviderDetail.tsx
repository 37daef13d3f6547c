import { useState } from 'react';
import { api, ApiError } from '../api/client';
import type { InstalledIntegration, OAuthAuthorize, Provider } from '../api/types';
import { issuesAtFields, SchemaForm, titleOf, withTitles } from '../components/SchemaForm';
import { Copyable, ErrorMessage, Loading, Section, useAction, useLoad } from '../components/ui';

/** Through the provider's OAuth consent screen: the API hands out the authorize URL (with a single-use state). */
async function startOAuthInstall(start: string) {
  const { authorizeUrl } = await api<OAuthAuthorize>(`${start.replace(/^\/v1/, '')}?format=json`);
  window.location.assign(authorizeUrl);
}

export function ProviderDetail({ providerId }: { providerId: string }) {
  const { data: provider, error } = useLoad(() => api<Provider>(`/providers/${encodeURIComponent(providerId)}`), [providerId]);
  const [settings, setSettings] = useState<Record<string, unknown>>({});
  const [secrets, setSecrets] = useState<Record<string, unknown>>({});
  const [installed, setInstalled] = useState<InstalledIntegration>();
  const install = useAction(() => api<InstalledIntegration>('/integrations', { method: 'POST', body: { provider: providerId, settings, secrets } }));
  const oauth = useAction(startOAuthInstall);
  if (error) return <ErrorMessage error={error} />;
  if (!provider) return <Loading what="the provider" />;
  const issues = install.error instanceof ApiError ? install.error.issues : [];
  const oauthStart = provider.install.method === 'oauth' ? provider.install.start : undefined;
  return (
    <main>
      <p>
        <a href="#/catalog">← Catalog</a>
      </p>
      <h1>{provider.displayName}</h1>
      <p>{provider.description}</p>
      <Section title="What it records">
        {provider.inboundEvents.length ? (
          <table aria-label="What it records">
            <thead>
              <tr>
                <th scope="col">Event type</th>
                <th scope="col">Records</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {provider.inboundEvents.map((event) => (
                <tr key={event.type} data-testid="inbound-event">
                  <td>{event.type === '*' ? <span className="muted">any type it is sent</span> : <code>{event.type}</code>}</td>
                  <td>{event.records.join(', ')}</td>
                  <td className="muted">{event.when ? withTitles(event.when, provider.settingsSchema) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">It receives nothing.</p>
        )}
      </Section>
      <Section title="What it delivers">
        {provider.capabilities.outbound ? (
          <ul>{provider.outboundTriggerEvents.map((type) => <li key={type}><code>{type}</code></li>)}</ul>
        ) : (
          <p className="muted">It delivers nothing.</p>
        )}
      </Section>
      {installed ? (
        <Section title="Installed">
          <p role="status">
            {provider.displayName} is installed and <strong>{installed.state}</strong>.
          </p>
          {installed.installation.inboundWebhookUrl ? (
            <p>
              Paste this webhook URL into {provider.displayName}: <Copyable value={installed.installation.inboundWebhookUrl} label="inbound webhook URL" />
            </p>
          ) : null}
          {installed.issuedSecret ? (
            <p>
              {titleOf(provider.secretsSchema, installed.issuedSecret.field)}, shown only once — copy it now: <Copyable value={installed.issuedSecret.secret} label={titleOf(provider.secretsSchema, installed.issuedSecret.field).toLowerCase()} />
            </p>
          ) : null}
          <a href={`#/integrations/${installed.id}`}>Open the integration</a>
        </Section>
      ) : oauthStart ? (
        <Section title="Connect">
          <button type="button" onClick={() => void oauth.go(oauthStart)} disabled={oauth.busy}>
            {oauth.busy ? `Opening ${provider.displayName}…` : `Add to ${provider.displayName}`}
          </button>
          <ErrorMessage error={oauth.error} />
        </Section>
      ) : (
        <form
          // The server judges the fields (errors shown at each): the browser’s own checks (a type="url" input) would stop the request.
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void install.go().then((done) => done && setInstalled(done));
          }}
        >
          <Section title="Settings">
            <SchemaForm id="settings" schema={provider.settingsSchema} value={settings} onChange={setSettings} serverErrors={issuesAtFields(issues, 'settings')} />
          </Section>
          <Section title="Secrets">
            <SchemaForm id="secrets" secret schema={provider.secretsSchema} value={secrets} onChange={setSecrets} serverErrors={issuesAtFields(issues, 'secrets')} />
          </Section>
          <button type="submit" disabled={install.busy}>
            {install.busy ? 'Installing…' : `Install ${provider.displayName}`}
          </button>
          <ErrorMessage error={install.error} />
        </form>
      )}
    </main>
  );
}
