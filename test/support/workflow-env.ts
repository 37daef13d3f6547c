import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';

let runtimeInstalled = false;

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The run's dev server (started by global setup, search attributes registered) as a test environment:
 * `createLocal` would download a CLI, and the time-skipping server is a downloaded Java binary.
 */
export function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  // Activities here fail on purpose: only the SDK's errors are worth printing.
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
  return TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEMPORAL_ADDRESS });
}

/**
 * Runs `test` while a worker serves a task queue of its own with the built workflow bundle and the
 * given mocked activities (by their registered names); the worker stops when `test` settles.
 */
export async function withMockedWorker<T>(env: TestWorkflowEnvironment, activities: Partial<Activities>, test: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `workflow-test-${randomBytes(6).toString('hex')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.LINQUID_TEST_WORKFLOW_BUNDLE! },
    activities,
    // As in production (worker/create-worker): a cancelled activity hears of it at its next heartbeat.
    maxHeartbeatThrottleInterval: '1 second',
  });
  return worker.runUntil(test(taskQueue));
}

/** A promise to await and the function that settles it: lets a mocked activity hold until the test lets it go. */
export function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

export async function historyOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/** Every timer the run started, as its duration in ms. */
export function timerDurations(events: HistoryEvent[]): number[] {
  return events.flatMap((event) => (event.timerStartedEventAttributes ? [tsToMs(event.timerStartedEventAttributes.startToFireTimeout)] : []));
}

/** When the server recorded the event (epoch ms). */
export function eventTime(event: HistoryEvent): number {
  return tsToMs(event.eventTime);
}

/** The activity names scheduled in the run, in order. */
export function scheduledActivities(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** The first argument a run hands its next run (from its closing ContinuedAsNew event). */
export function continuedAsNewInput<T>(events: HistoryEvent[]): { input: T; runId: string } {
  const attributes = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
  if (!attributes) throw new Error(`the run did not continue as new (last event: ${JSON.stringify(events.at(-1)?.eventType)})`);
  return { input: defaultPayloadConverter.fromPayload<T>(attributes.input!.payloads![0]!), runId: attributes.newExecutionRunId! };
}

/** How the run scheduled each `name` activity (options, retry policy, input), in order. */
export function scheduledAttributes(events: HistoryEvent[], name: string): temporal.api.history.v1.IActivityTaskScheduledEventAttributes[] {
  return events.flatMap((event) => {
    const attributes = event.activityTaskScheduledEventAttributes;
    return attributes?.activityType?.name === name ? [attributes] : [];
  });
}

/** The first argument of each `name` activity the run scheduled, in order. */
export function scheduledInputs<T>(events: HistoryEvent[], name: string): T[] {
  return scheduledAttributes(events, name).map((attributes) => defaultPayloadConverter.fromPayload<T>(attributes.input!.payloads![0]!));
}
