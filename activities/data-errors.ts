import { ApplicationFailure } from '@temporalio/common';
import { DATA_REJECTED } from '../contract/lifecycle';

/**
 * SQLSTATEs that the data causes and no retry can cure: class 22 (data exception: U+0000 in text, a
 * value out of range…), 23 (integrity constraint), 54 (program limit: an index row or a nesting too
 * large) and 42804 (datatype mismatch, from a value of the wrong JSON type). Anything else — a lost
 * connection, a deadlock, a serialization failure — is worth retrying.
 */
function isDataError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)...$|^42804$/.test(code);
}

/**
 * Every activity, failing non-retryably when PostgreSQL refuses its data: Temporal would otherwise
 * retry it forever and the workflow waiting on it would serve nothing else.
 */
export function failFastOnDataErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    async (...args: Parameters<typeof activity>) => {
      try {
        return await activity(...args);
      } catch (error) {
        if (!isDataError(error)) throw error;
        throw ApplicationFailure.create({ message: error.message, type: DATA_REJECTED, nonRetryable: true, details: [{ sqlstate: error.code }], cause: error });
      }
    },
  ]);
  return Object.fromEntries(wrapped) as T;
}
