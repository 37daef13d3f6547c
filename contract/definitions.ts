import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IntegrationStatus, LifecycleAction, TransitionRequest } from './lifecycle';

/** Payload of the lifecycle signals (operators send them with `temporal workflow signal`). */
export type LifecycleSignalInput = Omit<TransitionRequest, 'action'> | undefined;

/** One signal per lifecycle action, named as the action. */
export const lifecycleSignals = {
  connect: defineSignal<[LifecycleSignalInput]>('connect'),
  pause: defineSignal<[LifecycleSignalInput]>('pause'),
  resume: defineSignal<[LifecycleSignalInput]>('resume'),
  disconnect: defineSignal<[LifecycleSignalInput]>('disconnect'),
  reauthorize: defineSignal<[LifecycleSignalInput]>('reauthorize'),
  updateSettings: defineSignal<[LifecycleSignalInput]>('updateSettings'),
  fail: defineSignal<[LifecycleSignalInput]>('fail'),
} satisfies Record<LifecycleAction, unknown>;

/** The API's way in: validated against the same table, answers with the resulting state. */
export const transitionUpdate = defineUpdate<IntegrationStatus, [TransitionRequest]>('transition');

/** "There is new work in the inbox": a coalesced doorbell, not one signal per event. */
export const newWorkSignal = defineSignal('newWork');

export const statusQuery = defineQuery<IntegrationStatus>('status');
