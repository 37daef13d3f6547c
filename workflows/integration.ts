import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { applyTransition, resendMissedDeliveries } from './apply-transition';
import { startCredentialChecks } from './credential-checks';
import { lifecycleSignals, newWorkSignal, statusQuery, transitionUpdate, type LifecycleSignalInput } from '../contract/definitions';
import { InboxDrain } from './inbox-drain';
import { ACTIONS, checkTransition, type IntegrationStatus } from '../contract/lifecycle';
import { RequestQueue } from './request-queue';
import type { IntegrationWorkflowInput } from '../contract/integration';


/**
 * One integration's life: lifecycle transitions arrive as signals or updates and are applied one
 * at a time in arrival order; inbox work arrives as a doorbell and is drained in batches; an active
 * integration's credentials are checked on a timer. The run continues as new when the server suggests
 * it, carrying only the current status.
 */
export async function integrationWorkflow(input: IntegrationWorkflowInput): Promise<IntegrationStatus> {
  const { integrationId } = input;
  let status = input.status;
  const inbox = new InboxDrain(integrationId, input.workPending ?? true);
  // Lifecycle first: a long drain is asked to stop, and resumes after the request is applied.
  const requests = new RequestQueue(() => inbox.interrupt());

  for (const action of ACTIONS) {
    setHandler(lifecycleSignals[action], (signal: LifecycleSignalInput) => {
      requests.enqueue({ ...signal, action, actor: signal?.actor ?? 'operator' });
    });
  }
  setHandler(newWorkSignal, () => inbox.ring());
  setHandler(statusQuery, () => status);
  setHandler(transitionUpdate, (request) => requests.submit(request), {
    // Rejected before it enters history; re-checked when applied, since earlier requests may be queued.
    validator: (request) => {
      const check = checkTransition(status.state, request.action);
      if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, 'IllegalTransition');
    },
  });
  const checks = startCredentialChecks(integrationId, input.credentialCheckIntervalMs, input.nextCredentialCheckAt);

  // One thing at a time, lifecycle requests first, then a due credential check, then the inbox.
  while (status.state !== 'disconnected') {
    await condition(() => requests.hasWaiting() || inbox.hasWork() || checks.due() || workflowInfo().continueAsNewSuggested);
    const request = requests.next();
    if (request) {
      const from = status.state;
      status = await applyTransition(input, status, request, requests);
      // Back from error: re-send the deliveries it missed meanwhile.
      if (from === 'error' && status.state === 'active') await resendMissedDeliveries(integrationId);
    } else if (checks.due()) {
      const failure = await checks.run(status.state);
      if (failure) requests.enqueue({ action: 'fail', actor: 'system:credential-check', ...failure });
    } else if (inbox.hasWork()) {
      for (const providerRequest of await inbox.drain()) requests.enqueue(providerRequest);
    } else if (await requests.settled()) {
      // Idle, and the server suggests it: a new run carrying only the status (and the next check's due time).
      return await continueAsNew<typeof integrationWorkflow>({ ...input, status, workPending: true, nextCredentialCheckAt: checks.nextAt() });
    }
  }
  requests.refuseWaiting('the integration is disconnected');
  // Let in-flight update callers receive their answer before the run completes.
  await condition(allHandlersFinished);
  return status;
}
