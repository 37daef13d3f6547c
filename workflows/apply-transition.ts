import { ApplicationFailure, log, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage } from '../contract/failures';
import { checkTransition, type IntegrationStatus, REQUEST_REJECTED } from '../contract/lifecycle';
import { refusedData } from './refused-data';
import type { QueuedRequest, RequestQueue } from './request-queue';
import { IntegrationStateKey } from '../contract/search-attributes';

const { recordTransition, resendFailedDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface IntegrationIds {
  integrationId: string;
  workspaceId: string;
}

/**
 * Applies one queued request to `status`: checked again against the table (requests before it may have
 * changed the state), recorded with its workspace event by an activity, mirrored in the search
 * attribute, and answered. Resolves to the status it led to (unchanged when refused).
 */
export async function applyTransition({ integrationId, workspaceId }: IntegrationIds, status: IntegrationStatus, { id, request }: QueuedRequest, requests: RequestQueue): Promise<IntegrationStatus> {
  const check = checkTransition(status.state, request.action);
  if (!check.ok) {
    log.warn('transition refused', { integrationId, action: request.action, reason: check.reason });
    requests.answer(id, ApplicationFailure.nonRetryable(check.reason, 'IllegalTransition'));
    return status;
  }
  let next: IntegrationStatus;
  try {
    next = await recordTransition({
      integrationId,
      workspaceId,
      requestId: id,
      action: request.action,
      from: status.state,
      to: check.to,
      actor: request.actor ?? 'system',
      reason: request.reason ?? null,
      reasonCode: request.reasonCode ?? null,
      settings: request.settings,
    });
  } catch (error) {
    if (!refusedData(error)) throw error;
    log.warn('transition refused by the database', { integrationId, action: request.action, reason: failureMessage(error) });
    requests.answer(id, ApplicationFailure.nonRetryable(`could not record ${request.action}: ${failureMessage(error)}`, REQUEST_REJECTED));
    return status;
  }
  upsertSearchAttributes([{ key: IntegrationStateKey, value: next.state }]);
  requests.answer(id, next);
  return next;
}

/** Re-sends an integration's failed deliveries (none for an inbound-only integration); a refusal for data is logged. */
export async function resendMissedDeliveries(integrationId: string): Promise<void> {
  await resendFailedDeliveries({ integrationId }).catch((error: unknown) => {
    if (!refusedData(error)) throw error;
    log.warn('re-sending failed deliveries refused by the database', { integrationId, reason: failureMessage(error) });
  });
}
