import { useState } from 'react';
import { api, ApiError } from '../api/client';
import type { Integration, Provider, RotateResult } from '../api/types';
import { issuesAtFields, SchemaForm } from '../components/SchemaForm';
import { Copyable, ErrorMessage, Section, useAction } from '../components/ui';

export function SettingsEditor({ integration, provider, onChanged }: { integration: Integration; provider: Provider; onChanged: (next: Integration) => void }) {
  const [settings, setSettings] = useState(integration.settings);
  const save = useAction(() => api<Integration>(`/integrations/${integration.id}`, { method: 'PATCH', body: { settings } }));
  const issues = save.error instanceof ApiError ? save.error.issues : [];
  const allowed = integration.actions.find((a) => a.action === 'updateSettings');
  return (
    <Section title="Settings">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save.go().then((next) => next && onChanged(next));
        }}
      >
        <SchemaForm id="edit-settings" schema={provider.settingsSchema} value={settings} onChange={setSettings} serverErrors={issuesAtFields(issues, 'settings')} />
        <button type="submit" disabled={save.busy || !allowed?.allowed} title={allowed?.allowed ? undefined : allowed?.reason}>
          {save.busy ? 'Saving…' : 'Save settings'}
        </button>
        <ErrorMessage error={save.error} />
      </form>
    </Section>
  );
}

export function Secrets({ integration, provider, onChanged }: { integration: Integration; provider: Provider; onChanged: (next: Integration) => void }) {
  const [grace, setGrace] = useState('86400');
  const [newSecret, setNewSecret] = useState('');
  const [fresh, setFresh] = useState<Record<string, unknown>>({});
  const [rotated, setRotated] = useState<RotateResult>();
  const rotate = useAction(() =>
    api<RotateResult>(`/integrations/${integration.id}/secrets/rotate`, { method: 'POST', body: { gracePeriodSeconds: Number(grace), ...(newSecret ? { secret: newSecret } : {}) } }),
  );
  const reauthorize = useAction(() => api<Integration>(`/integrations/${integration.id}/reauthorize`, { method: 'POST', body: { secrets: fresh } }));
  const issues = reauthorize.error instanceof ApiError ? reauthorize.error.issues : [];
  const names = Object.keys((provider.secretsSchema.properties ?? {}) as object);
  return (
    <Section title="Secrets">
      <dl className="facts">
        {names.map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{integration.secrets[name] ?? <span className="muted">not set</span>}</dd>
          </div>
        ))}
      </dl>
      <details>
        <summary>Rotate the signing secret</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void rotate.go().then((result) => result && setRotated(result));
          }}
        >
          <label htmlFor="rotate-secret">New secret (leave empty when Linquid issues it)</label>
          <input id="rotate-secret" type="password" autoComplete="off" value={newSecret} onChange={(e) => setNewSecret(e.target.value)} />
          <label htmlFor="rotate-grace">Old secret keeps verifying for</label>
          <select id="rotate-grace" value={grace} onChange={(e) => setGrace(e.target.value)}>
            <option value="0">no grace period</option>
            <option value="3600">1 hour</option>
            <option value="86400">1 day</option>
            <option value="604800">7 days</option>
          </select>
          <button type="submit" disabled={rotate.busy}>
            {rotate.busy ? 'Rotating…' : 'Rotate'}
          </button>
          <ErrorMessage error={rotate.error} />
        </form>
        {rotated ? (
          <p role="status">
            Rotated <code>{rotated.field}</code>.{rotated.secret ? <> New secret, shown once: <Copyable value={rotated.secret} label="new secret" /></> : null}{' '}
            {rotated.previousSecretValidUntil ? `The old one verifies until ${new Date(rotated.previousSecretValidUntil).toLocaleString()}.` : ''}
          </p>
        ) : null}
      </details>
      <details>
        <summary>Re-authorize (replace credentials)</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void reauthorize.go().then((next) => next && onChanged(next));
          }}
        >
          <SchemaForm id="reauthorize" secret schema={provider.secretsSchema} value={fresh} onChange={setFresh} serverErrors={issuesAtFields(issues, 'secrets')} />
          <button type="submit" disabled={reauthorize.busy}>
            {reauthorize.busy ? 'Re-authorizing…' : 'Re-authorize'}
          </button>
          <ErrorMessage error={reauthorize.error} />
        </form>
      </details>
    </Section>
  );
}
