import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { DATA_REJECTED } from './lifecycle';

/** Runs recorded before it failed when an activity was refused for its data (they could not be, then). */
const DATA_REJECTED_PATCH = 'data-rejected-survives';

/**
 * An activity PostgreSQL refused for its data (never retried: activities/data-errors). The request or
 * drain that ran it fails; the run goes on serving the next ones.
 */
export const refusedData = (error: unknown): error is ActivityFailure =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === DATA_REJECTED && patched(DATA_REJECTED_PATCH);
