import { randomBytes } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { tsToMs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import { DELIVERY_CONCURRENCY, type DeliveryBatchInput, type RetryRef } from '../../contract/delivery';
import type { deliveryBatchWorkflow } from '../../workflows/delivery';
import { waitFor } from '../support/harness';
import { connectTestEnvironment, gate, historyOf, scheduledActivities, scheduledAttributes, scheduledInputs, timerDurations, withMockedWorker } from '../support/workflow-env';

/**
 * The delivery batch workflow on the dev server with its activities mocked: one batch attempt, then a
 * retry lane per delivery that failed retryably (after its delay, at most DELIVERY_CONCURRENCY at once),
 * and a settled failure for one whose retries ran out.
 */
type DeliverInput = Parameters<Activities['deliver']>[0];
type SettleInput = Parameters<Activities['settleDelivery']>[0];

/** Retries give up after 2 s: a delivery that keeps failing is settled within the test. */
const RETRY = { initialIntervalMs: 100, maximumIntervalMs: 200, windowMs: 2000, attemptTimeoutMs: 1000 };
/** A window longer than an attempt (the server caps an attempt's timeout at the window). */
const LONG_RETRY = { initialIntervalMs: 500, maximumIntervalMs: 4000, windowMs: 60_000, attemptTimeoutMs: 10_000 };

describe('delivery batch workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTestEnvironment();
  });
  afterAll(() => env.teardown());

  const refs = (count: number) => Array.from({ length: count }, (_, i) => ({ deliveryId: `dlv_${i + 1}`, round: 1 }));
  const run = async (taskQueue: string, input: Omit<DeliveryBatchInput, 'destinationId'>) => {
    const destinationId = `int_dest_${randomBytes(6).toString('hex')}`;
    const handle = await env.client.workflow.start<typeof deliveryBatchWorkflow>('deliveryBatchWorkflow', {
      taskQueue,
      workflowId: `deliveries-${destinationId}`,
      args: [{ destinationId, ...input }],
    });
    return { handle, destinationId };
  };

  it('makes the first attempt of the whole batch in one activity, and nothing more when none failed', async () => {
    const deliverBatch = jest.fn(async (): Promise<RetryRef[]> => []);
    const deliver = jest.fn(async () => undefined);
    await withMockedWorker(env, { deliverBatch, deliver }, async (taskQueue) => {
      const deliveries = refs(3);
      const { handle, destinationId } = await run(taskQueue, { deliveries, retry: RETRY });
      await handle.result();
      expect(deliverBatch.mock.calls).toEqual([[{ destinationId, deliveries }]]);
      const events = await historyOf(handle);
      expect(scheduledActivities(events)).toEqual(['deliverBatch']);
      expect(timerDurations(events)).toEqual([]);
    });
    expect(deliver).not.toHaveBeenCalled();
  });

  it('retries each failed delivery in its own lane after its delay, the shortest first', async () => {
    // Out of order on purpose: the lanes take them by delay.
    const retries: RetryRef[] = [
      { deliveryId: 'dlv_4', round: 2, delayMs: 1500 },
      { deliveryId: 'dlv_2', round: 1, delayMs: 0 },
      { deliveryId: 'dlv_5', round: 1, delayMs: 800 },
    ];
    const deliverBatch = jest.fn(async () => retries);
    const deliver = jest.fn(async () => undefined);
    const settleDelivery = jest.fn(async () => undefined);
    await withMockedWorker(env, { deliverBatch, deliver, settleDelivery }, async (taskQueue) => {
      const { handle, destinationId } = await run(taskQueue, { deliveries: refs(5), retry: LONG_RETRY });
      await handle.result();
      const events = await historyOf(handle);
      // A retry due at once waits for no timer; the others wait exactly their delay from the batch's end.
      expect(timerDurations(events)).toEqual([800, 1500]);
      for (const { retryPolicy, scheduleToCloseTimeout, startToCloseTimeout, heartbeatTimeout } of scheduledAttributes(events, 'deliver')) {
        // The schedule is the retry's Temporal retry policy (the batch made the first attempt: the next waits twice the first interval).
        expect({
          initialMs: tsToMs(retryPolicy!.initialInterval),
          maximumMs: tsToMs(retryPolicy!.maximumInterval),
          backoff: retryPolicy!.backoffCoefficient,
          scheduleToCloseMs: tsToMs(scheduleToCloseTimeout),
          startToCloseMs: tsToMs(startToCloseTimeout),
          heartbeatMs: tsToMs(heartbeatTimeout),
        }).toEqual({
          initialMs: 2 * LONG_RETRY.initialIntervalMs,
          maximumMs: LONG_RETRY.maximumIntervalMs,
          backoff: 2,
          scheduleToCloseMs: LONG_RETRY.windowMs,
          // Generous, so a starved worker is not retried while its call is in flight (a dead one misses
          // heartbeats); Temporal caps it at the schedule-to-close timeout.
          startToCloseMs: Math.min(LONG_RETRY.attemptTimeoutMs + 60_000, LONG_RETRY.windowMs),
          heartbeatMs: LONG_RETRY.attemptTimeoutMs + 10_000,
        });
      }
      expect(scheduledInputs<DeliverInput>(events, 'deliver')).toEqual([
        { deliveryId: 'dlv_2', round: 1, destinationId },
        { deliveryId: 'dlv_5', round: 1, destinationId },
        { deliveryId: 'dlv_4', round: 2, destinationId },
      ]);
    });
    expect(deliver).toHaveBeenCalledTimes(3);
    expect(settleDelivery).not.toHaveBeenCalled();
  });

  it(`keeps at most ${DELIVERY_CONCURRENCY} retries in flight, and retries every one`, async () => {
    const count = DELIVERY_CONCURRENCY + 5;
    const deliverBatch = jest.fn(async () => refs(count).map((ref) => ({ ...ref, delayMs: 0 })));
    const release = gate();
    let inFlight = 0;
    let mostInFlight = 0;
    const deliver = jest.fn(async (_input: DeliverInput) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await release.opened;
      inFlight--;
    });
    await withMockedWorker(env, { deliverBatch, deliver }, async (taskQueue) => {
      const { handle } = await run(taskQueue, { deliveries: refs(count), retry: LONG_RETRY });
      await waitFor(() => inFlight === DELIVERY_CONCURRENCY, 'every lane busy');
      // Nothing has finished, so no lane could take a next one.
      expect(scheduledInputs(await historyOf(handle), 'deliver')).toHaveLength(DELIVERY_CONCURRENCY);
      release.open();
      await handle.result();
    });
    expect(mostInFlight).toBe(DELIVERY_CONCURRENCY);
    expect(deliver.mock.calls.map(([input]) => input.deliveryId).sort()).toEqual(refs(count).map((ref) => ref.deliveryId).sort());
  });

  it('settles a delivery whose retries ran out or were refused, and lets the others through meanwhile', async () => {
    const log: string[] = [];
    const deliverBatch = jest.fn(async () => refs(3).map((ref) => ({ ...ref, delayMs: 0 })));
    const deliver = jest.fn(async ({ deliveryId }: DeliverInput) => {
      const { attempt } = Context.current().info;
      log.push(`${deliveryId} attempt ${attempt}`);
      if (deliveryId === 'dlv_1') throw ApplicationFailure.create({ message: 'HTTP 503', type: 'DeliveryFailed' });
      if (deliveryId === 'dlv_2') throw ApplicationFailure.create({ message: 'HTTP 400 Bad Request', type: 'DeliveryRejected', nonRetryable: true });
    });
    const settleDelivery = jest.fn(async ({ deliveryId, error, retriedForMs }: SettleInput) => {
      log.push(`${deliveryId} settled: ${error}${retriedForMs === undefined ? '' : ` after ${retriedForMs} ms`}`);
    });
    await withMockedWorker(env, { deliverBatch, deliver, settleDelivery }, async (taskQueue) => {
      const { handle } = await run(taskQueue, { deliveries: refs(3), retry: RETRY });
      await handle.result();
    });
    expect(settleDelivery.mock.calls.map(([input]) => [input.deliveryId, input.round]).sort()).toEqual([
      ['dlv_1', 1],
      ['dlv_2', 1],
    ]);
    // Refused: no retry window is claimed.
    expect(log).toContain('dlv_2 settled: HTTP 400 Bad Request');
    // The window closes during a backoff (a timeout whose cause is the last failure) or the server sees the next retry
    // would pass it (the last failure itself): either way the settle says the window ran out, with the last attempt's failure.
    expect(log.filter((line) => line.startsWith('dlv_1 settled'))).toEqual([`dlv_1 settled: HTTP 503 after ${RETRY.windowMs} ms`]);
    // The rejected one is tried once; the failing one again and again until the window closes, without holding back dlv_3.
    expect(log.filter((line) => line.startsWith('dlv_2 attempt'))).toEqual(['dlv_2 attempt 1']);
    expect(log.filter((line) => line.startsWith('dlv_1 attempt')).length).toBeGreaterThan(1);
    expect(log.indexOf('dlv_3 attempt 1')).toBeLessThan(log.findIndex((line) => line.startsWith('dlv_1 settled')));
  });
});
