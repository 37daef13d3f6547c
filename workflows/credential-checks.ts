import { condition, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { IntegrationState } from '../contract/states';
import type { TransitionRequest } from '../contract/lifecycle';

const { checkCredentials } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // A provider outage says nothing about the credentials: retried a little, then left to the next interval.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/**
 * Workflow time: inside the workflow sandbox the SDK makes `Date` deterministic (the current workflow
 * task's time, replayed identically). Used only to carry the next check's due time across continue-as-new.
 */
const workflowNow = (): number => Date.now();

export interface CredentialChecks {
  /** A check is due; the main loop runs it between transitions and drains, never concurrently. */
  due(): boolean;
  /** Runs the due check; resolves to the reason to fail the integration when the provider refused it. */
  run(state: IntegrationState): Promise<Pick<TransitionRequest, 'reason' | 'reasonCode'> | undefined>;
  /** When the next check is due (epoch ms), carried into the next run. */
  nextAt(): number | undefined;
}

const OFF: CredentialChecks = { due: () => false, run: async () => undefined, nextAt: () => undefined };

/**
 * One durable timer per interval (not a timeout on every wait of the main loop, which would add a
 * timer and its cancellation to history on every doorbell). Only an `active` integration is checked.
 */
export function startCredentialChecks(integrationId: string, intervalMs: number, carriedNextAt?: number): CredentialChecks {
  if (intervalMs <= 0) return OFF;
  let due = false;
  let nextAt = carriedNextAt ?? workflowNow() + intervalMs;
  void (async () => {
    for (;;) {
      await sleep(Math.max(1, nextAt - workflowNow()));
      due = true;
      await condition(() => !due);
      nextAt = workflowNow() + intervalMs;
    }
  })();
  return {
    due: () => due,
    nextAt: () => nextAt,
    run: async (state) => {
      try {
        if (state !== 'active') return undefined;
        const { failReason, failCode } = await checkCredentials({ integrationId });
        return failReason === undefined ? undefined : { reason: failReason, reasonCode: failCode };
      } catch (error) {
        // Retries exhausted (provider down, network): the integration stays as it is; the next interval tries again.
        log.warn('credential check could not reach the provider; state unchanged', { integrationId, error: String(error) });
        return undefined;
      } finally {
        due = false;
      }
    },
  };
}
