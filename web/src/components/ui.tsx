import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client';

/**
 * Loads on mount and when `deps` change; `reload` refetches. Errors are kept, never thrown into a blank page, and
 * a failed reload keeps what was shown. `settled` counts finished loads, successful or not.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; settled: number; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean; settled: number }>({ loading: true, settled: 0 });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState((previous) => ({ data, loading: false, settled: previous.settled + 1 })),
      (error: unknown) => live && setState((previous) => ({ ...previous, error, loading: false, settled: previous.settled + 1 })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Loads again `ms` after each finished load (`settled` from useLoad), for views of work the pipeline does on its own. */
export function useAutoRefresh(reload: () => void, settled: number, ms: number): void {
  useEffect(() => {
    const timer = setTimeout(reload, ms);
    return () => clearTimeout(timer);
  }, [settled, ms, reload]);
}

/** Runs an action, tracking progress and its error. */
export function useAction<A extends unknown[], T>(run: (...args: A) => Promise<T>): { busy: boolean; error?: unknown; go: (...args: A) => Promise<T | undefined> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const go = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      return await run(...args);
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, go };
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="error" role="alert">
      {message}
      {code ? <span className="code"> ({code})</span> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Badge({ value, kind = 'state' }: { value: string; kind?: string }) {
  return <span className={`badge ${kind}-${value}`} data-testid={`${kind}-badge`}>{value}</span>;
}

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="copy"
      aria-label={`Copy ${label}`}
      onClick={() => {
        // Without clipboard access (an insecure origin, a refused permission) the value stays selectable on the page.
        navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

export function Copyable({ value, label }: { value: string; label: string }) {
  return (
    <span className="copyable">
      <code>{value}</code> <CopyButton value={value} label={label} />
    </span>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="card">
      <header className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
