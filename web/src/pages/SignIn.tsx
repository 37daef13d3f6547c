import { type FormEvent, useState } from 'react';
import { api, ApiError, session } from '../api/client';
import { ErrorMessage } from '../components/ui';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/providers', { key: key.trim() });
      await api('/integrations', { key: key.trim() });
      session.signIn(key.trim());
      onSignedIn();
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? new Error('That API key is not valid for any workspace. Check it and try again.') : caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin card">
      <h1>Sign in to Linquid</h1>
      <p>Use your workspace API key. It is kept only for this browser tab.</p>
      <form onSubmit={submit}>
        <label htmlFor="api-key">Workspace API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorMessage error={error} />
    </main>
  );
}
