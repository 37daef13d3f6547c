import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { startCredentialChecks } from './credential-checks';
import { lifecycleSignals, newWorkSignal, statusQuery, transitionUpdate, type LifecycleSignalInput } from './definitions';
import { ACTIONS, checkTransition, DATA_REJECTED, type IntegrationStatus, REQUEST_REJECTED, type TransitionRequest } from './lifecycle';
import { IntegrationStateKey } from './search-attributes';
import { failureMessage } from './failures';

export interface IntegrationWorkflowInput {
  integrationId: string;
  workspaceId: string;
  provider: string;
  status: IntegrationStatus;
  /** Start by draining the inbox (always true after continue-as-new: work may have arrived meanwhile). */
  workPending?: boolean;
  /** How often an active integration's credentials are checked with its provider (0: never). */
  credentialCheckIntervalMs?: number;
  /** Carried across continue-as-new so a busy integration (short runs) is still checked on time. */
  nextCredentialCheckAt?: number;
}

const { recordTransition, resendFailedDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const drainOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;
const { drainInbox } = proxyActivities<Activities>(drainOptions);
/** Cancelled when a lifecycle request arrives; waits for the drain to stop (after its current batch). */
const { drainInbox: interruptibleDrainInbox } = proxyActivities<Activities>({ ...drainOptions, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });
/** Runs started before it drain without interruption, in short slices (see activities/inbox). */
const INTERRUPTIBLE_DRAIN_PATCH = 'interruptible-drain';
/** Runs recorded before it failed when an activity was refused for its data (they could not be, then). */
const DATA_REJECTED_PATCH = 'data-rejected-survives';

/**
 * An activity PostgreSQL refused for its data (never retried: activities/data-errors). The request or
 * drain that ran it fails; the run goes on serving the next ones.
 */
const refusedData = (error: unknown): error is ActivityFailure =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === DATA_REJECTED && patched(DATA_REJECTED_PATCH);

interface QueuedRequest {
  id: string;
  request: TransitionRequest;
}

/**
 * One integration's life: lifecycle transitions arrive as signals or updates and are applied one
 * at a time in arrival order; inbox work arrives as a doorbell and is drained in batches.
 * The run continues as new when the server suggests it, carrying only the current status.
 */
export async function integrationWorkflow(input: IntegrationWorkflowInput): Promise<IntegrationStatus> {
  const { integrationId, workspaceId } = input;
  let status = input.status;
  let workPending = input.workPending ?? true;
  const queue: QueuedRequest[] = [];
  const outcomes = new Map<string, IntegrationStatus | ApplicationFailure>();
  let drainInProgress: CancellationScope | undefined;

  const enqueue = (request: TransitionRequest): string => {
    const id = uuid4();
    queue.push({ id, request });
    // Lifecycle first: a long drain is asked to stop, and resumes after the request is applied.
    drainInProgress?.cancel();
    return id;
  };

  for (const action of ACTIONS) {
    setHandler(lifecycleSignals[action], (signal: LifecycleSignalInput) => {
      enqueue({ ...signal, action, actor: signal?.actor ?? 'operator' });
    });
  }
  setHandler(newWorkSignal, () => {
    workPending = true;
  });
  setHandler(statusQuery, () => status);
  setHandler(
    transitionUpdate,
    async (request) => {
      const id = enqueue(request);
      await condition(() => outcomes.has(id));
      const outcome = outcomes.get(id)!;
      outcomes.delete(id);
      if (outcome instanceof ApplicationFailure) throw outcome;
      return outcome;
    },
    {
      // Rejected before it enters history; re-checked when applied, since earlier requests may be queued.
      validator: (request) => {
        const check = checkTransition(status.state, request.action);
        if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, 'IllegalTransition');
      },
    },
  );

  const apply = async ({ id, request }: QueuedRequest): Promise<void> => {
    const check = checkTransition(status.state, request.action);
    if (!check.ok) {
      log.warn('transition refused', { integrationId, action: request.action, reason: check.reason });
      outcomes.set(id, ApplicationFailure.nonRetryable(check.reason, 'IllegalTransition'));
      return;
    }
    const from = status.state;
    try {
      status = await recordTransition({
        integrationId,
        workspaceId,
        requestId: id,
        action: request.action,
        from,
        to: check.to,
        actor: request.actor ?? 'system',
        reason: request.reason ?? null,
        reasonCode: request.reasonCode ?? null,
        settings: request.settings,
      });
    } catch (error) {
      if (!refusedData(error)) throw error;
      log.warn('transition refused by the database', { integrationId, action: request.action, reason: failureMessage(error) });
      outcomes.set(id, ApplicationFailure.nonRetryable(`could not record ${request.action}: ${failureMessage(error)}`, REQUEST_REJECTED));
      return;
    }
    upsertSearchAttributes([{ key: IntegrationStateKey, value: status.state }]);
    outcomes.set(id, status);
    // Back from error: re-send the deliveries it missed meanwhile (none for an inbound-only integration).
    if (from === 'error' && status.state === 'active') {
      await resendFailedDeliveries({ integrationId }).catch((error: unknown) => {
        if (!refusedData(error)) throw error;
        log.warn('re-sending failed deliveries refused by the database', { integrationId, reason: failureMessage(error) });
      });
    }
  };

  /** A refused drain leaves its rows pending: the doorbell stays set, so the worker's sweep rings again later. */
  const drainRefused = (error: unknown): boolean => {
    if (!refusedData(error)) return false;
    log.warn('inbox drain refused by the database', { integrationId, reason: failureMessage(error) });
    return true;
  };

  const drain = async (): Promise<void> => {
    workPending = false;
    let result: Awaited<ReturnType<typeof drainInbox>>;
    if (patched(INTERRUPTIBLE_DRAIN_PATCH)) {
      const scope = new CancellationScope();
      drainInProgress = scope;
      try {
        result = await scope.run(() => interruptibleDrainInbox({ integrationId, interruptible: true }));
      } catch (error) {
        if (drainRefused(error)) return;
        if (!isCancellation(error)) throw error;
        // Stopped for a lifecycle request: what it committed stays processed; the rest is drained next.
        workPending = true;
        return;
      } finally {
        drainInProgress = undefined;
      }
    } else {
      try {
        result = await drainInbox({ integrationId });
      } catch (error) {
        if (drainRefused(error)) return;
        throw error;
      }
    }
    // Not `= result.more`: a doorbell that rang during the drain (after its last look at the inbox) set
    // workPending, and is often delivered in the same activation as the result; overwriting it loses the
    // signal, and the rows wait for the worker's sweep (30 s).
    if (result.more) workPending = true;
    for (const request of result.lifecycle) enqueue({ ...request, actor: 'system:inbound' });
  };

  const checks = startCredentialChecks(integrationId, input.credentialCheckIntervalMs, input.nextCredentialCheckAt);
  const checkCredentials = async (): Promise<void> => {
    const failure = await checks.run(status.state);
    if (failure) enqueue({ action: 'fail', actor: 'system:credential-check', ...failure });
  };

  while (status.state !== 'disconnected') {
    await condition(() => queue.length > 0 || workPending || checks.due() || workflowInfo().continueAsNewSuggested);
    const next = queue.shift();
    if (next) await apply(next);
    else if (checks.due()) await checkCredentials();
    else if (workPending) await drain();
    else {
      // A request arriving meanwhile is served first; its handler could not finish otherwise.
      await condition(() => allHandlersFinished() || queue.length > 0);
      if (queue.length === 0) {
        return await continueAsNew<typeof integrationWorkflow>({ ...input, status, workPending: true, nextCredentialCheckAt: checks.nextAt() });
      }
    }
  }
  for (const { id } of queue.splice(0)) {
    outcomes.set(id, ApplicationFailure.nonRetryable('the integration is disconnected', 'IllegalTransition'));
  }
  // Let in-flight update callers receive their answer before the run completes.
  await condition(allHandlersFinished);
  return status;
}
