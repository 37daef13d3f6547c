import { type ReactNode, useState } from 'react';
import { api } from '../api/client';
import type { Diagnostics, FindingAction, Integration, TestReport } from '../api/types';
import { Badge, counted, ErrorMessage, goToSection, Loading, openControl, Section, useAction, useLoad } from '../components/ui';
import { CONTROL_IDS } from './Settings';

export function HealthPanel({ integration }: { integration: Integration }) {
  const health = integration.health;
  if (!health) return null;
  return (
    <Section title="Health" actions={<Badge value={health.status} kind="health" />}>
      {health.reasons.length ? <ul>{health.reasons.map((reason) => <li key={reason}>{reason}</li>)}</ul> : <p>Everything looks healthy.</p>}
    </Section>
  );
}

/** What a finding's first action needs from the page: its integration, a reload after a change, the delivery log. */
interface ActionContext {
  integrationId: string;
  onChanged: () => void;
  onOpenDelivery: (deliveryId: string) => void;
}

/**
 * Where the page already has the control (the re-authorize and rotate panels, the settings editor, the delivery
 * log), the button opens it (by its element id; rotating falls back to re-authorizing where nothing rotates) or goes
 * to its section.
 */
const GO_TO: Partial<Record<FindingAction['code'], [label: string, go: () => void]>> = {
  reauthorize: ['Re-authorize (in Secrets)', () => openControl(CONTROL_IDS.reauthorize)],
  rotate_secret: ['Rotate the secret (in Secrets)', () => openControl(CONTROL_IDS.rotate, CONTROL_IDS.reauthorize)],
  edit_settings: ['Edit the settings', () => openControl(CONTROL_IDS.settings)],
  open_deliveries: ['Open the delivery log', () => goToSection('Deliveries')],
};

/**
 * A finding's first action as the control that does it on this page. What it did is said by `onDone`, outside the
 * finding: the reload it triggers usually removes the finding.
 */
function FirstAction({ action, integrationId, onChanged, onOpenDelivery, onDone }: ActionContext & { action: FindingAction; onDone: (said: string) => void }) {
  const post = useAction((path: string, body: unknown) => api<{ requeued?: number }>(`/integrations/${integrationId}/${path}`, { method: 'POST', body }));
  const run = (label: string, path: string, body: unknown, said: (answer: { requeued?: number }) => string) => (
    <button
      type="button"
      disabled={post.busy}
      onClick={() =>
        void post.go(path, body).then((answer) => {
          if (!answer) return;
          onDone(said(answer));
          onChanged();
        })
      }
    >
      {post.busy ? 'Working…' : label}
    </button>
  );
  const goTo = GO_TO[action.code];
  let control: ReactNode;
  if (goTo) control = <button type="button" onClick={goTo[1]}>{goTo[0]}</button>;
  else if (action.code === 'resume') control = run('Resume the integration', 'resume', {}, () => 'Resumed.');
  else if (action.code === 'replay') control = run(`Replay the ${action.status} events`, 'webhook-events/replay', { status: [action.status] }, ({ requeued = 0 }) => `${counted(requeued, 'event')} queued again.`);
  else if (action.code === 'open_delivery') control = <button type="button" onClick={() => onOpenDelivery(action.deliveryId)}>Open the failing delivery</button>;
  else if (action.code === 'open_workflow') control = <a href={action.url} target="_blank" rel="noreferrer">Open the workflow in the Temporal Web UI</a>;
  return (
    <div className="first-action" data-testid="first-action">
      {control}
      <ErrorMessage error={post.error} />
    </div>
  );
}

export function Diagnostics({ integrationId, version, onChanged, onOpenDelivery }: ActionContext & { version: number }) {
  const { data, error, loading, reload } = useLoad(() => api<Diagnostics>(`/integrations/${integrationId}/diagnostics`), [integrationId, version]);
  const [done, setDone] = useState<string>();
  return (
    <Section title="Diagnostics" actions={<button type="button" onClick={reload} disabled={loading}>{loading ? 'Checking…' : 'Check again'}</button>}>
      <ErrorMessage error={error} />
      {done ? <p role="status">{done}</p> : null}
      {!data ? (
        <Loading what="diagnostics" />
      ) : data.findings.length === 0 ? (
        <p>No known problem found.</p>
      ) : (
        <ul className="findings">
          {data.findings.map((finding) => (
            <li key={finding.scenario} className={`finding ${finding.severity}`} data-testid="finding">
              <strong>{finding.scenario}</strong> <Badge value={finding.severity} kind="severity" />
              <p>
                <em>Likely cause:</em> {finding.likelyCause}
              </p>
              <p>
                <em>First action:</em> {finding.firstAction}
              </p>
              {finding.action ? <FirstAction action={finding.action} integrationId={integrationId} onChanged={onChanged} onOpenDelivery={onOpenDelivery} onDone={setDone} /> : null}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export function TestRun({ integrationId }: { integrationId: string }) {
  const [report, setReport] = useState<TestReport>();
  const run = useAction(() => api<TestReport>(`/integrations/${integrationId}/test`, { method: 'POST' }));
  return (
    <Section
      title="Testing checklist"
      actions={
        <button type="button" disabled={run.busy} onClick={() => void run.go().then((done) => done && setReport(done))}>
          {run.busy ? 'Running the test…' : 'Run test'}
        </button>
      }
    >
      {run.busy ? (
        <p role="status" aria-live="polite">
          Sending test data through the integration, step by step…
        </p>
      ) : null}
      <ErrorMessage error={run.error} />
      {report && !run.busy ? (
        <>
          <p role="status">{report.passed ? 'Every step passed.' : 'Some steps failed: see below.'}</p>
          <ol className="checklist">
            {report.steps.map((step) => (
              <li key={step.step} className={step.ok ? 'ok' : 'failed'} data-testid="test-step">
                <span aria-label={step.ok ? 'passed' : 'failed'}>{step.ok ? '✓' : '✗'}</span> <strong>{step.name}</strong> — {step.detail}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Section>
  );
}
