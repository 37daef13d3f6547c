import { DELIVERY_CONCURRENCY } from '../../contract/delivery';
import type { ActivityDeps } from '../deps';
import { deliverActivity, deliverBatchActivity } from './deliver';
import { DestinationLanes } from './destination-lanes';
import { resendFailedDeliveriesActivity, settleDeliveryActivity } from './resend';

export function createOutboundActivities(deps: ActivityDeps) {
  // One per worker: its delivery activities share each destination's lanes and its 410 stop.
  const lanes = new DestinationLanes(DELIVERY_CONCURRENCY);
  return {
    deliverBatch: deliverBatchActivity(deps, lanes),
    deliver: deliverActivity(deps, lanes),
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
