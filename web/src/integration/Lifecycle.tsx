import { api } from '../api/client';
import type { Integration } from '../api/types';
import { ErrorMessage, Section, useAction } from '../components/ui';

/** The actions a person takes from this page; settings and secrets have their own sections. */
const BUTTONS: Array<{ action: string; label: string }> = [
  { action: 'connect', label: 'Connect' },
  { action: 'pause', label: 'Pause' },
  { action: 'resume', label: 'Resume' },
  { action: 'disconnect', label: 'Disconnect' },
];

/** Lifecycle actions as the transition table allows them; a refused one is disabled with the table's reason. */
export function Lifecycle({ integration, onChanged }: { integration: Integration; onChanged: (next: Integration) => void }) {
  const act = useAction((action: string) => api<Integration>(`/integrations/${integration.id}/${action}`, { method: 'POST', body: { reason: 'from the admin UI' } }));
  return (
    <Section title="Lifecycle">
      <div className="actions" role="group" aria-label="Lifecycle actions">
        {BUTTONS.map(({ action, label }) => {
          const availability = integration.actions.find((a) => a.action === action);
          const reasonId = `reason-${action}`;
          return (
            <span key={action} className="action">
              <button
                type="button"
                disabled={!availability?.allowed || act.busy}
                aria-describedby={availability?.allowed ? undefined : reasonId}
                className={action === 'disconnect' ? 'danger' : undefined}
                onClick={() => {
                  if (action === 'disconnect' && !window.confirm('Disconnect this integration? It stops syncing for good.')) return;
                  void act.go(action).then((next) => next && onChanged(next));
                }}
              >
                {label}
              </button>
              {availability?.allowed ? null : (
                <small id={reasonId} className="muted">
                  {availability?.reason}
                </small>
              )}
            </span>
          );
        })}
      </div>
      {act.busy ? <p role="status">Working…</p> : null}
      <ErrorMessage error={act.error} />
    </Section>
  );
}
