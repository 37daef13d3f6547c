import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
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

export function CopyButton({ value, label }: { value: string; label: string }) {
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

const sectionId = (title: string) => `section-${title.toLowerCase().replace(/\W+/g, '-')}`;

/** Scrolls to the page's section of that title and moves the focus to its heading (for a keyboard user). */
export function goToSection(title: string): void {
  const heading = document.getElementById(sectionId(title));
  heading?.scrollIntoView({ block: 'start' });
  heading?.focus();
}

/**
 * Opens the first control of those ids the page has (a `<details>` panel is expanded), scrolls to it and focuses its
 * first field, so one click gets a person to the form.
 */
export function openControl(...ids: string[]): void {
  const control = ids.map((id) => document.getElementById(id)).find((element) => element !== null);
  if (!control) return;
  if (control instanceof HTMLDetailsElement) control.open = true;
  control.scrollIntoView({ block: 'start' });
  control.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea, button')?.focus();
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = sectionId(title);
  return (
    <section aria-labelledby={id} className="card">
      <header className="card-head">
        <h2 id={id} tabIndex={-1}>
          {title}
        </h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** An option of a Select: its value, shown as is or with a label of its own. */
export type SelectOption = string | { value: string; label: string };

/** A labelled `<select>`; with `all`, a first option ("All", or the text given) is the empty value (a filter that is not set). */
export function Select({ label, value, options, onChange, all = false }: { label: string; value: string; options: readonly SelectOption[]; onChange: (value: string) => void; all?: boolean | string }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {all ? <option value="">{all === true ? 'All' : all}</option> : null}
        {options.map((option) => (typeof option === 'string' ? <option key={option}>{option}</option> : <option key={option.value} value={option.value}>{option.label}</option>))}
      </select>
    </label>
  );
}

interface TableProps<T> {
  /** The table's accessible name. */
  label?: string;
  head: string[];
  cells: (row: T) => ReactNode[];
  rowTestId?: string;
}

/**
 * A listing as it loads: its error, "Loading…" until the first answer, the `empty` message, or a table
 * with one row per item.
 */
export function Listing<T extends { id: string }>({ rows, error, what, empty, label, head, cells, rowTestId }: TableProps<T> & { rows: T[] | undefined; error: unknown; what: string; empty?: string }) {
  return (
    <>
      <ErrorMessage error={error} />
      {!rows ? (
        error ? null : <Loading what={what} />
      ) : rows.length === 0 && empty ? (
        <p className="muted">{empty}</p>
      ) : (
        <table aria-label={label}>
          <thead>
            <tr>{head.map((title) => <th key={title}>{title}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid={rowTestId}>
                {cells(row).map((cell, index) => <td key={index}>{cell}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/**
 * A modal dialog (the browser's own `<dialog>`: focus moves into it and stays there, Escape closes it),
 * closed by its Close button too; `onClose` when it closes either way.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    dialog?.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose}>
      <header className="card-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </header>
      {children}
    </dialog>
  );
}

/** "1 event", "3 events". */
export const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
