import { ActivityFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';

/** An ActivityFailure's message is generic; its cause says what happened (timeout, last error). */
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/**
 * Whether an activity failed because its retry window (schedule-to-close timeout) ran out: closing during a
 * backoff it is a SCHEDULE_TO_CLOSE timeout; when the server sees the next retry would pass it, it fails with the
 * last attempt's failure and retry state TIMEOUT.
 */
export function retryWindowClosed(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  return error.retryState === RetryState.TIMEOUT || (error.cause instanceof TimeoutFailure && error.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE);
}

/**
 * The last attempt's own failure when the retry window ran out during a backoff (the SDK drops a timeout's cause,
 * which its failure proto keeps), else what `failureMessage` says.
 */
export function lastFailureMessage(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof TimeoutFailure) return cause.failure?.cause?.message ?? cause.message;
  return failureMessage(error);
}
