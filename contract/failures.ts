/** An ActivityFailure's message is generic; its cause says what happened (timeout, last error). */
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}
