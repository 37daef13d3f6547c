import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowUpdateStage } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import { lifecycleSignals, newWorkSignal, statusQuery, transitionUpdate } from '../../contract/definitions';
import type { IntegrationWorkflowInput } from '../../contract/integration';
import type { integrationWorkflow } from '../../workflows/integration';
import type { IntegrationStatus } from '../../contract/lifecycle';
import type { IntegrationState } from '../../contract/states';
import { integrationWorkflowId } from '../../contract/search-attributes';
import { TEST_CONTINUE_AS_NEW_EVENTS } from '../support/global-setup';
import { waitFor } from '../support/harness';
import { connectTestEnvironment, continuedAsNewInput, eventTime, gate, historyOf, scheduledActivities, timerDurations, withMockedWorker } from '../support/workflow-env';

/**
 * The integration workflow on the dev server with every activity mocked: what it asks of its activities,
 * in which order, and what its history and its next run's input hold. Only its public interface is used
 * (workflow name, input, signals/update/query, activity names).
 */
type TransitionInput = Parameters<Activities['recordTransition']>[0];
type DrainInput = Parameters<Activities['drainInbox']>[0];
type DrainResult = Awaited<ReturnType<Activities['drainInbox']>>;

const NOTHING_DRAINED: DrainResult = { processed: 0, more: false, lifecycle: [] };
const HOUR_MS = 3_600_000;

/** What the mocked recordTransition answers: the requested state, with the request's reason. */
const recorded = (request: TransitionInput): IntegrationStatus => ({ state: request.to, reason: request.reason, changedAt: new Date().toISOString() });

/** How an update the workflow refused fails for its caller. */
const refusal = (message: RegExp) => ({ cause: expect.objectContaining({ type: 'IllegalTransition', message: expect.stringMatching(message) }) });

const status = (state: IntegrationState): IntegrationStatus => ({ state, reason: null, changedAt: '2026-01-01T00:00:00.000Z' });

describe('integration workflow (mocked activities)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTestEnvironment();
  });
  afterAll(() => env.teardown());

  const start = async (taskQueue: string, overrides: Partial<IntegrationWorkflowInput> = {}) => {
    const integrationId = `int_wf_${randomBytes(6).toString('hex')}`;
    const input: IntegrationWorkflowInput = {
      integrationId,
      workspaceId: 'ws_workflow_test',
      provider: 'stripe',
      status: status('active'),
      workPending: false,
      credentialCheckIntervalMs: 0,
      ...overrides,
    };
    const handle = await env.client.workflow.start<typeof integrationWorkflow>('integrationWorkflow', {
      taskQueue,
      workflowId: integrationWorkflowId(integrationId),
      args: [input],
    });
    return { handle, input, integrationId };
  };

  it('serves lifecycle requests one at a time in arrival order, each re-checked when its turn comes', async () => {
    const firstHeld = gate();
    const release = gate();
    let inFlight = 0;
    let mostInFlight = 0;
    const recordTransition = jest.fn(async (request: TransitionInput) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        // The first request is held until every other one has arrived behind it.
        if (recordTransition.mock.calls.length === 1) {
          firstHeld.open();
          await release.opened;
        }
        return recorded(request);
      } finally {
        inFlight--;
      }
    });
    await withMockedWorker(env, { recordTransition }, async (taskQueue) => {
      const { handle } = await start(taskQueue);
      const pause = await handle.startUpdate(transitionUpdate, { args: [{ action: 'pause', actor: 'api:first' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      await firstHeld.opened;
      // Accepted (the integration is still active), refused when applied: the first pause got there first.
      const pauseAgain = await handle.startUpdate(transitionUpdate, { args: [{ action: 'pause', actor: 'api:second' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      await handle.signal(lifecycleSignals.resume, { actor: 'operator:resume' });
      const settings = await handle.startUpdate(transitionUpdate, {
        args: [{ action: 'updateSettings', actor: 'api:settings', settings: { channel: 'C1' } }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      await handle.signal(lifecycleSignals.disconnect, { reason: 'uninstalled' });
      release.open();

      await expect(pause.result()).resolves.toMatchObject({ state: 'paused' });
      await expect(pauseAgain.result()).rejects.toMatchObject(refusal(/cannot pause an integration that is paused/));
      await expect(settings.result()).resolves.toMatchObject({ state: 'active' });
      await expect(handle.result()).resolves.toMatchObject({ state: 'disconnected', reason: 'uninstalled' });
    });
    expect(recordTransition.mock.calls.map(([r]) => [r.action, r.from, r.to, r.actor])).toEqual([
      ['pause', 'active', 'paused', 'api:first'],
      ['resume', 'paused', 'active', 'operator:resume'],
      ['updateSettings', 'active', 'active', 'api:settings'],
      ['disconnect', 'active', 'disconnected', 'operator'],
    ]);
    expect(recordTransition.mock.calls[2]![0].settings).toEqual({ channel: 'C1' });
    // One request id each: a retried activity writes its audit row once.
    expect(new Set(recordTransition.mock.calls.map(([r]) => r.requestId)).size).toBe(4);
    expect(mostInFlight).toBe(1);
  });

  it('refuses the requests still queued when it disconnects, and completes', async () => {
    const disconnectHeld = gate();
    const release = gate();
    const recordTransition = jest.fn(async (request: TransitionInput) => {
      disconnectHeld.open();
      await release.opened;
      return recorded(request);
    });
    await withMockedWorker(env, { recordTransition }, async (taskQueue) => {
      const { handle } = await start(taskQueue);
      await handle.signal(lifecycleSignals.disconnect, { reason: 'operator said so' });
      await disconnectHeld.opened;
      const late = await handle.startUpdate(transitionUpdate, { args: [{ action: 'updateSettings', settings: {} }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      release.open();
      await expect(late.result()).rejects.toMatchObject(refusal(/the integration is disconnected/));
      await expect(handle.result()).resolves.toMatchObject({ state: 'disconnected' });
    });
    expect(recordTransition.mock.calls.map(([r]) => r.action)).toEqual(['disconnect']);
  });

  it('cancels a running drain for a lifecycle request, applies it once the drain has stopped, then drains again', async () => {
    const log: string[] = [];
    const drainRunning = gate();
    const drainInbox = jest.fn(async (input: DrainInput): Promise<DrainResult> => {
      const call = drainInbox.mock.calls.length;
      expect(Object.keys(input)).toEqual(['integrationId']);
      log.push(`drain ${call}`);
      if (call === 1) {
        drainRunning.open();
        const context = Context.current();
        const beat = setInterval(() => context.heartbeat(), 100);
        try {
          await context.cancelled;
        } catch (error) {
          log.push('drain 1 cancelled');
          throw error;
        } finally {
          clearInterval(beat);
        }
      }
      return NOTHING_DRAINED;
    });
    const recordTransition = jest.fn(async (request: TransitionInput) => {
      log.push(`record ${request.action}`);
      return recorded(request);
    });
    await withMockedWorker(env, { drainInbox, recordTransition }, async (taskQueue) => {
      const { handle } = await start(taskQueue, { workPending: true });
      await drainRunning.opened;
      await expect(handle.executeUpdate(transitionUpdate, { args: [{ action: 'pause' }] })).resolves.toMatchObject({ state: 'paused' });
      // The cancelled drain left work pending: the run drains again without another doorbell.
      await waitFor(() => drainInbox.mock.calls.length === 2, 'the drain after the request');
      const events = await historyOf(handle);
      expect(events.filter((event) => event.activityTaskCancelRequestedEventAttributes)).toHaveLength(1);
      expect(events.filter((event) => event.activityTaskCanceledEventAttributes)).toHaveLength(1);
      await handle.terminate('test done');
    });
    expect(log).toEqual(['drain 1', 'drain 1 cancelled', 'record pause', 'drain 2']);
  });

  it('drains again while the inbox has more, on each doorbell, and serves what a drain asks as system:inbound', async () => {
    const drained = [{ ...NOTHING_DRAINED, processed: 100, more: true }, NOTHING_DRAINED, { ...NOTHING_DRAINED, processed: 1, lifecycle: [{ action: 'disconnect' as const, reason: 'app uninstalled' }] }];
    const drainInbox = jest.fn(async (_input: DrainInput): Promise<DrainResult> => drained[drainInbox.mock.calls.length - 1] ?? NOTHING_DRAINED);
    const recordTransition = jest.fn(async (request: TransitionInput) => recorded(request));
    await withMockedWorker(env, { drainInbox, recordTransition }, async (taskQueue) => {
      const { handle, integrationId } = await start(taskQueue, { workPending: true });
      await waitFor(() => drainInbox.mock.calls.length === 2, 'the second drain (`more` was set)');
      expect(drainInbox.mock.calls.every(([input]) => input.integrationId === integrationId)).toBe(true);
      await handle.signal(newWorkSignal);
      await expect(handle.result()).resolves.toMatchObject({ state: 'disconnected', reason: 'app uninstalled' });
    });
    expect(drainInbox).toHaveBeenCalledTimes(3);
    expect(recordTransition.mock.calls.map(([r]) => [r.action, r.actor, r.reason])).toEqual([['disconnect', 'system:inbound', 'app uninstalled']]);
  });

  it('re-sends the failed deliveries once it is back from error, after recording the transition', async () => {
    const log: string[] = [];
    const recordTransition = jest.fn(async (request: TransitionInput) => {
      log.push(`record ${request.action}`);
      return recorded(request);
    });
    const resendFailedDeliveries = jest.fn(async ({ integrationId }: { integrationId: string }) => {
      log.push(`resend ${integrationId}`);
      return 0;
    });
    await withMockedWorker(env, { recordTransition, resendFailedDeliveries }, async (taskQueue) => {
      const { handle, integrationId } = await start(taskQueue, { status: status('error') });
      await expect(handle.executeUpdate(transitionUpdate, { args: [{ action: 'resume' }] })).resolves.toMatchObject({ state: 'active' });
      await expect(handle.executeUpdate(transitionUpdate, { args: [{ action: 'pause' }] })).resolves.toMatchObject({ state: 'paused' });
      await expect(handle.query(statusQuery)).resolves.toMatchObject({ state: 'paused' });
      await handle.terminate('test done');
      expect(log).toEqual(['record resume', `resend ${integrationId}`, 'record pause']);
    });
  });

  it('starts one credential-check timer per interval, and no timer without an interval', async () => {
    const recordTransition = jest.fn(async (request: TransitionInput) => recorded(request));
    await withMockedWorker(env, { recordTransition }, async (taskQueue) => {
      const checked = await start(taskQueue, { credentialCheckIntervalMs: HOUR_MS });
      const unchecked = await start(taskQueue, { credentialCheckIntervalMs: 0 });
      // A request answered means the run's first workflow task (where the timer starts) is in history.
      for (const { handle } of [checked, unchecked]) await handle.executeUpdate(transitionUpdate, { args: [{ action: 'updateSettings', settings: {} }] });
      expect(timerDurations(await historyOf(checked.handle))).toEqual([HOUR_MS]);
      expect(timerDurations(await historyOf(unchecked.handle))).toEqual([]);
      await Promise.all([checked.handle.terminate('test done'), unchecked.handle.terminate('test done')]);
    });
  });

  it('fails an active integration whose check the provider refused, and checks only while active', async () => {
    const intervalMs = 1000;
    const checkCredentials = jest.fn(async () => ({ result: 'unauthorized' as const, failReason: 'credentials_expired: token revoked' }));
    const recordTransition = jest.fn(async (request: TransitionInput) => recorded(request));
    await withMockedWorker(env, { checkCredentials, recordTransition }, async (taskQueue) => {
      const { handle, integrationId } = await start(taskQueue, { credentialCheckIntervalMs: intervalMs });
      await waitFor(() => recordTransition.mock.calls.length === 1, 'the failure the check asked for');
      expect(checkCredentials.mock.calls).toEqual([[{ integrationId }]]);
      // Two more intervals pass while it is in error: their timers fire, and the provider is not asked.
      await waitFor(async () => timerDurations(await historyOf(handle)).length >= 4, 'two more timers');
      await expect(handle.query(statusQuery)).resolves.toMatchObject({ state: 'error' });
      expect(timerDurations(await historyOf(handle)).every((ms) => ms === intervalMs)).toBe(true);
      await handle.terminate('test done');
    });
    expect(checkCredentials).toHaveBeenCalledTimes(1);
    expect(recordTransition.mock.calls.map(([r]) => [r.action, r.from, r.to, r.actor, r.reason])).toEqual([
      ['fail', 'active', 'error', 'system:credential-check', 'credentials_expired: token revoked'],
    ]);
  });

  it('serves every queued request before continuing as new, and hands the next run its state, work and check time', async () => {
    const firstHeld = gate();
    const release = gate();
    const calls: Array<{ runId: string; action: string; answer: IntegrationStatus }> = [];
    const recordTransition = jest.fn(async (request: TransitionInput) => {
      if (calls.length === 0) {
        firstHeld.open();
        await release.opened;
      }
      const answer = { ...recorded(request), reason: `call ${calls.length + 1}` };
      calls.push({ runId: Context.current().info.workflowExecution!.runId, action: request.action, answer });
      return answer;
    });
    const drainRuns: string[] = [];
    const drainInbox = jest.fn(async (_input: DrainInput): Promise<DrainResult> => {
      drainRuns.push(Context.current().info.workflowExecution!.runId);
      return NOTHING_DRAINED;
    });
    await withMockedWorker(env, { recordTransition, drainInbox }, async (taskQueue) => {
      const { handle, input } = await start(taskQueue, { credentialCheckIntervalMs: HOUR_MS });
      const firstRunId = handle.firstExecutionRunId;
      await handle.signal(lifecycleSignals.pause, { actor: 'operator' });
      await firstHeld.opened;
      // While the pause is held, requests queue up until the history is long enough for the server to suggest continuing as new.
      let queued = 0;
      while ((await handle.describe()).historyLength < TEST_CONTINUE_AS_NEW_EVENTS + 10) {
        expect(++queued).toBeLessThan(200);
        await handle.signal(lifecycleSignals.updateSettings, { settings: { n: queued } });
      }
      const last = await handle.startUpdate(transitionUpdate, { args: [{ action: 'updateSettings', settings: { n: 'last' } }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      release.open();
      const lastAnswer = await last.result();

      const latest = env.client.workflow.getHandle(handle.workflowId);
      await waitFor(async () => (await latest.describe()).runId !== firstRunId, 'the next run');
      const firstRun = await historyOf(env.client.workflow.getHandle(handle.workflowId, firstRunId));
      const next = continuedAsNewInput<IntegrationWorkflowInput>(firstRun);

      // No request was left behind: every one was applied by the first run, in order, the last one included.
      expect(calls.map(({ runId }) => runId).every((runId) => runId === firstRunId)).toBe(true);
      expect(calls.map(({ action }) => action)).toEqual(['pause', ...Array<string>(queued + 1).fill('updateSettings')]);
      expect(lastAnswer).toEqual(calls.at(-1)!.answer);
      expect(next.input).toEqual({
        ...input,
        status: calls.at(-1)!.answer,
        workPending: true,
        nextCredentialCheckAt: expect.any(Number),
      });
      // The check stays due when it was due: the first run's timer's end (workflow time is its task's start), not a fresh interval.
      expect(timerDurations(firstRun)).toEqual([HOUR_MS]);
      const firstTaskStarted = firstRun.find((event) => event.workflowTaskStartedEventAttributes)!;
      expect(next.input.nextCredentialCheckAt).toBe(eventTime(firstTaskStarted) + HOUR_MS);

      // The next run starts by draining (work may have arrived meanwhile) and keeps the state.
      await waitFor(() => drainRuns.includes(next.runId), 'the next run draining');
      await expect(latest.query(statusQuery)).resolves.toEqual(calls.at(-1)!.answer);
      const nextRun = await historyOf(latest);
      const nextTaskStarted = nextRun.find((event) => event.workflowTaskStartedEventAttributes)!;
      expect(timerDurations(nextRun)).toEqual([next.input.nextCredentialCheckAt! - eventTime(nextTaskStarted)]);
      expect(scheduledActivities(nextRun)).toEqual(['drainInbox']);
      await latest.terminate('test done');
    });
  });
});
