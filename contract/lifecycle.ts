import type { IntegrationState, StateReasonCode } from './states';

/**
 * The integration state machine: one transition table for workflow signals, workflow updates
 * and the API (which answers 409 with `reason` for an impossible transition).
 */
export const ACTIONS = ['connect', 'pause', 'resume', 'disconnect', 'reauthorize', 'updateSettings', 'fail'] as const;
export type LifecycleAction = (typeof ACTIONS)[number];

/** Where each action may start and where it leads; `'same'` keeps the current state. */
const TABLE: Record<LifecycleAction, Partial<Record<IntegrationState, IntegrationState | 'same'>>> = {
  connect: { pending: 'active', error: 'active' },
  pause: { active: 'paused', error: 'paused' },
  resume: { paused: 'active', error: 'active' },
  reauthorize: { pending: 'active', active: 'active', error: 'active', paused: 'same' },
  updateSettings: { pending: 'same', active: 'same', paused: 'same', error: 'same' },
  fail: { active: 'error', error: 'same' },
  disconnect: { pending: 'disconnected', active: 'disconnected', paused: 'disconnected', error: 'disconnected' },
};

export type TransitionCheck = { ok: true; to: IntegrationState } | { ok: false; reason: string };

export function checkTransition(from: IntegrationState, action: LifecycleAction): TransitionCheck {
  const target = TABLE[action][from];
  if (target === undefined) {
    const allowed = Object.keys(TABLE[action]).join(', ');
    return { ok: false, reason: `cannot ${action} an integration that is ${from} (allowed from: ${allowed})` };
  }
  return { ok: true, to: target === 'same' ? from : target };
}

/** A lifecycle request as it travels through a signal or an update. */
export interface TransitionRequest {
  action: LifecycleAction;
  /** Who asked: `api:<keyId>`, `system:<component>`, `operator` (temporal CLI)… */
  actor?: string;
  reason?: string;
  /** Set by the service for the reasons diagnostics act on; operators give words only. */
  reasonCode?: StateReasonCode;
  /** Only with `updateSettings`: the already-validated new settings. */
  settings?: Record<string, unknown>;
}

export interface IntegrationStatus {
  state: IntegrationState;
  reason: string | null;
  changedAt: string;
}

/** Failure type of an activity PostgreSQL refused for its data: never retried (activities/data-errors). */
export const DATA_REJECTED = 'DataRejected';
/** Failure type of a lifecycle request whose data was refused so: answered with the reason; the integration keeps serving. */
export const REQUEST_REJECTED = 'RequestRejected';
