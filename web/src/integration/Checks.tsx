import { useState } from 'react';
import { api } from '../api/client';
import type { Diagnostics, Integration, TestReport } from '../api/types';
import { Badge, ErrorMessage, Loading, Section, useAction, useLoad } from '../components/ui';

export function HealthPanel({ integration }: { integration: Integration }) {
  const health = integration.health;
  if (!health) return null;
  return (
    <Section title="Health" actions={<Badge value={health.status} kind="health" />}>
      {health.reasons.length ? <ul>{health.reasons.map((reason) => <li key={reason}>{reason}</li>)}</ul> : <p>Everything looks healthy.</p>}
    </Section>
  );
}

export function Diagnostics({ integrationId, version }: { integrationId: string; version: number }) {
  const { data, error, loading, reload } = useLoad(() => api<Diagnostics>(`/integrations/${integrationId}/diagnostics`), [integrationId, version]);
  return (
    <Section title="Diagnostics" actions={<button type="button" onClick={reload} disabled={loading}>{loading ? 'Checking…' : 'Check again'}</button>}>
      <ErrorMessage error={error} />
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
