import type { IntegrationState, StateReasonCode } from '../../contract/states';
import type { Advice, Detector, Finding } from './types';
import { iso } from '../../lib/iso';
import { replayCall } from './types';

/** What moved it to `error`, by the code the service recorded with the state (`state_reason_code`). */
const ERROR_CAUSES: Record<Exclude<StateReasonCode, 'destination_gone'>, Advice> = {
  credentials_expired: {
    likelyCause: 'expired or revoked credentials: the provider refused the stored ones (401/403) at the periodic check',
    firstAction: 'Re-authorize with fresh credentials: POST /v1/integrations/{id}/reauthorize (validated with the provider before they are saved, then the integration is active again)',
    action: { code: 'reauthorize' },
  },
  invalid_mapping: {
    likelyCause: 'invalid mapping: a setting no longer matches the provider account (the reason names the field)',
    firstAction: 'Validate and fix the setting with PATCH /v1/integrations/{id} (a 422 lists the allowed values), then POST /v1/integrations/{id}/resume',
    action: { code: 'edit_settings' },
  },
  delivery_failures: {
    likelyCause: 'the destination kept failing: repeated delivery failures moved it to error',
    firstAction: 'Read the delivery log (GET /v1/integrations/{id}/deliveries), fix the destination, then POST /v1/integrations/{id}/resume: what it missed is re-sent',
    action: { code: 'resume' },
  },
};

/** `error` does not heal by itself: it waits for re-authorization, a settings fix or a resume. */
export const stuckInError: Detector = async ({ row }) => {
  if (row.state !== 'error') return undefined;
  const code = row.state_reason_code;
  const cause: Advice = (code && code !== 'destination_gone' ? ERROR_CAUSES[code] : undefined) ?? {
    likelyCause: `the integration went to error: ${row.state_reason || 'no reason recorded'}`,
    firstAction: ERROR_CAUSES.credentials_expired.firstAction,
    action: ERROR_CAUSES.credentials_expired.action,
  };
  return {
    scenario: 'stuck_in_error',
    severity: 'failing',
    ...cause,
    evidence: { state: row.state, reason: row.state_reason, since: iso(row.state_changed_at), changedBy: row.state_changed_by },
  };
};

const SKIPPED_ACTIONS: Partial<Record<IntegrationState, (replay: string) => Pick<Finding, 'firstAction' | 'action'>>> = {
  paused: (replay) => ({ firstAction: `Resume (POST /v1/integrations/{id}/resume), then ${replay}`, action: { code: 'resume' } }),
  // A disconnected integration replays nothing: its events can only go to a new one.
  disconnected: () => ({ firstAction: 'The integration is disconnected and syncs nothing: install a new one and have the provider resend these events to its webhook URL', action: null }),
};

/** Events answered 200 while paused are recorded as skipped: applied only when replayed (or redelivered after the resume). */
export const skippedWhilePaused: Detector = async ({ db, row, since }) => {
  const skipped = await db
    .selectFrom('inbox')
    .select([
      (eb) => eb.fn.countAll<number>().as('count'),
      (eb) => eb.fn.min('received_at').as('first'),
      (eb) => eb.fn.max('received_at').as('last'),
    ])
    .where('integration_id', '=', row.id)
    .where('status', '=', 'skipped')
    .where('reason', '=', 'paused')
    .where('is_test', '=', false)
    .where('received_at', '>', since)
    .executeTakeFirstOrThrow();
  if (Number(skipped.count) === 0) return undefined;
  const replay = `replay the skipped events: ${replayCall('skipped')}`;
  return {
    scenario: 'skipped_while_paused',
    likelyCause: 'the integration was paused: events that arrived meanwhile were acknowledged (200) and not synced',
    ...(SKIPPED_ACTIONS[row.state]?.(replay) ?? { firstAction: `To sync them now, ${replay}`, action: { code: 'replay', status: 'skipped' } }),
    evidence: { skippedEvents: Number(skipped.count), firstSkippedAt: iso(skipped.first), lastSkippedAt: iso(skipped.last), state: row.state },
  };
};
