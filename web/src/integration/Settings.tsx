import { useState } from 'react';
import { api, ApiError } from '../api/client';
import type { Integration, Provider, RotateResult } from '../api/types';
import { issuesAtFields, SchemaForm, titleOf } from '../components/SchemaForm';
import { Copyable, ErrorMessage, Section, useAction } from '../components/ui';

/** The element ids of the forms a diagnostics finding's first action opens (Checks.tsx). */
export const CONTROL_IDS = { settings: 'settings-editor', reauthorize: 'reauthorize-panel', rotate: 'rotate-panel' } as const;

export function SettingsEditor({ integration, provider, onChanged }: { integration: Integration; provider: Provider; onChanged: (next: Integration) => void }) {
  const [settings, setSettings] = useState(integration.settings);
  const save = useAction(() => api<Integration>(`/integrations/${integration.id}`, { method: 'PATCH', body: { settings } }));
  const issues = save.error instanceof ApiError ? save.error.issues : [];
  const allowed = integration.actions.find((a) => a.action === 'updateSettings');
  return (
    <Section title="Settings">
      <form
        id={CONTROL_IDS.settings}
        // The server judges the fields (errors shown at each): the browser’s own checks (a type="url" input) would stop the request.
        noValidate
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
  const [fresh, setFresh] = useState<Record<string, unknown>>({});
  const reauthorize = useAction(() => api<Integration>(`/integrations/${integration.id}/reauthorize`, { method: 'POST', body: { secrets: fresh } }));
  const issues = reauthorize.error instanceof ApiError ? reauthorize.error.issues : [];
  const names = Object.keys((provider.secretsSchema.properties ?? {}) as object);
  return (
    <Section title="Secrets">
      <dl className="facts">
        {names.map((name) => (
          <div key={name}>
            <dt>{titleOf(provider.secretsSchema, name)}</dt>
            <dd>{integration.secrets[name] ?? <span className="muted">not set</span>}</dd>
          </div>
        ))}
      </dl>
      {provider.secretRotation ? <Rotation integration={integration} provider={provider} rotation={provider.secretRotation} /> : null}
      <details id={CONTROL_IDS.reauthorize}>
        <summary>Re-authorize (replace credentials)</summary>
        <form
          // The server judges the fields (errors shown at each): the browser’s own checks (a type="url" input) would stop the request.
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void reauthorize.go().then((next) => {
              if (!next) return;
              // Accepted and stored: the credentials do not stay in the page.
              setFresh({});
              onChanged(next);
            });
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

/** Rotation of the one secret the provider rotates, with a grace period; a secret Linquid issues is shown once. */
function Rotation({ integration, provider, rotation }: { integration: Integration; provider: Provider; rotation: NonNullable<Provider['secretRotation']> }) {
  const [grace, setGrace] = useState('86400');
  const [newSecret, setNewSecret] = useState('');
  const [rotated, setRotated] = useState<RotateResult>();
  const rotate = useAction(() =>
    api<RotateResult>(`/integrations/${integration.id}/secrets/rotate`, { method: 'POST', body: { gracePeriodSeconds: Number(grace), ...(newSecret ? { secret: newSecret } : {}) } }),
  );
  const title = titleOf(provider.secretsSchema, rotation.field);
  return (
    <details id={CONTROL_IDS.rotate}>
      <summary>Rotate the {title.toLowerCase()}</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void rotate.go().then((result) => result && setRotated(result));
        }}
      >
        {rotation.issuedBy === 'provider' ? (
          <>
            <label htmlFor="rotate-secret">New {title.toLowerCase()}, as {provider.displayName} issued it</label>
            <input id="rotate-secret" type="password" autoComplete="off" required value={newSecret} onChange={(e) => setNewSecret(e.target.value)} />
          </>
        ) : (
          <p className="muted">Linquid issues the new one and shows it here once.</p>
        )}
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
          Rotated the {title.toLowerCase()}.{rotated.secret ? <> The new one, shown only once — copy it now: <Copyable value={rotated.secret} label={`new ${title.toLowerCase()}`} /></> : null}{' '}
          {rotated.previousSecretValidUntil ? `The old one verifies until ${new Date(rotated.previousSecretValidUntil).toLocaleString()}.` : ''}
        </p>
      ) : null}
    </details>
  );
}
