import { integrationEventData } from '../contract/workspace-event-payloads';
import { INTEGRATION_EVENT_OF_STATE } from '../contract/workspace-events';
import { type IntegrationState, isStateReasonCode, type StateReasonCode } from '../contract/states';
import type { Db } from '../db';
import { deliversWithSettings } from '../db/queries/integrations';
import type { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { metrics } from '../lib/metrics';
import { emitWorkspaceEvent } from '../db/queries/events';
import type { IntegrationStatus, LifecycleAction } from '../contract/lifecycle';

export interface RecordTransitionInput {
  integrationId: string;
  workspaceId: string;
  /** Unique per workflow request: a retried activity writes the audit row once. */
  requestId: string;
  action: LifecycleAction;
  from: IntegrationState;
  to: IntegrationState;
  actor: string;
  reason: string | null;
  /** Absent for reasons given in words only. */
  reasonCode?: StateReasonCode | null;
  settings?: Record<string, unknown>;
}

function toStatus(row: { state: IntegrationState; state_reason: string | null; state_changed_at: Date }): IntegrationStatus {
  return { state: row.state, reason: row.state_reason, changedAt: row.state_changed_at.toISOString() };
}

/** Applies one lifecycle transition to the system of record: state, audit row and lifecycle event, atomically. */
export function recordTransitionActivity(db: Db, box: SecretBox) {
  return async function recordTransition(input: RecordTransitionInput): Promise<IntegrationStatus> {
    return db.transaction().execute(async (trx) => {
      const done = await trx
        .selectFrom('integration_transitions')
        .select('id')
        .where('integration_id', '=', input.integrationId)
        .where('request_id', '=', input.requestId)
        .executeTakeFirst();
      if (!done) {
        const now = new Date();
        // Signals are not validated: a code an operator's `temporal workflow signal` made up is not stored.
        const reasonCode = isStateReasonCode(input.reasonCode) ? input.reasonCode : null;
        const stateChanged = input.from !== input.to;
        await trx
          .updateTable('integrations')
          .set({
            state: input.to,
            updated_at: now,
            ...(stateChanged ? { state_changed_at: now, state_changed_by: input.actor, state_reason: input.reason, state_reason_code: reasonCode } : {}),
            ...(input.settings ? { settings: JSON.stringify(input.settings), delivers: await deliversWithSettings(trx, box, input.integrationId, input.settings) } : {}),
            // Disconnected is terminal: nothing to authenticate with is kept.
            ...(input.to === 'disconnected' ? { secrets_sealed: null, retired_secrets_sealed: null } : {}),
          })
          .where('id', '=', input.integrationId)
          .execute();
        await trx
          .insertInto('integration_transitions')
          .values({
            integration_id: input.integrationId,
            workspace_id: input.workspaceId,
            action: input.action,
            from_state: input.from,
            to_state: input.to,
            actor: input.actor,
            reason: input.reason,
            reason_code: reasonCode,
            occurred_at: now,
            request_id: input.requestId,
          })
          .execute();
        metrics.transitions.inc({ action: input.action, to: input.to });
        logger.info(
          { workspaceId: input.workspaceId, integrationId: input.integrationId, action: input.action, from: input.from, to: input.to, actor: input.actor, reason: input.reason },
          'integration transition recorded',
        );
        const eventType = stateChanged ? INTEGRATION_EVENT_OF_STATE[input.to] : undefined;
        if (eventType) {
          await emitWorkspaceEvent(trx, {
            workspaceId: input.workspaceId,
            type: eventType,
            integrationId: input.integrationId,
            data: integrationEventData({ integrationId: input.integrationId, from: input.from, to: input.to, reason: input.reason, actor: input.actor }),
          });
        }
      }
      const row = await trx
        .selectFrom('integrations')
        .select(['state', 'state_reason', 'state_changed_at'])
        .where('id', '=', input.integrationId)
        .executeTakeFirstOrThrow();
      return toStatus(row);
    });
  };
}
