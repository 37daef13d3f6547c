/**
 * Runs `pass` one at a time; calls made while a pass runs share the single pass that starts after it.
 * Every caller's promise settles with a pass that started after its call — what a caller needs when a
 * pass reads what the caller committed just before (new outbox rows, a new inbox row).
 */
export function coalesced(pass: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const current = pass().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
