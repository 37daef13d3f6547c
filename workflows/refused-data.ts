import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { DATA_REJECTED } from '../contract/lifecycle';

/**
 * An activity PostgreSQL refused for its data (never retried: activities/data-errors). The request or
 * drain that ran it fails; the run goes on serving the next ones.
 */
export const refusedData = (error: unknown): error is ActivityFailure =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === DATA_REJECTED;
