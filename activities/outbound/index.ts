import type { ActivityDeps } from '..';
import { deliverActivity, deliverBatchActivity } from './deliver';
import { resendFailedDeliveriesActivity, settleDeliveryActivity } from './resend';

export function createOutboundActivities(deps: ActivityDeps) {
  return {
    deliverBatch: deliverBatchActivity(deps),
    deliver: deliverActivity(deps),
    settleDelivery: settleDeliveryActivity(deps.db),
    resendFailedDeliveries: resendFailedDeliveriesActivity(deps),
  };
}

/**
 * Kicks `dispatch` once the activity has committed, so its workspace events go out without waiting for
 * the sweep. Not awaited: the activity's result (and its heartbeat budget) never depend on it.
 */
export function thenDispatch<A extends unknown[], R>(activity: (...args: A) => Promise<R>, dispatch: () => Promise<void>) {
  return async (...args: A): Promise<R> => {
    const result = await activity(...args);
    void dispatch();
    return result;
  };
}
