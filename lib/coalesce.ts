/**
 * Runs `pass` one at a time; calls made while a pass runs share the single pass that starts right after
 * it. Every caller's promise settles with a pass that started after its call — what a caller needs when
 * a pass reads what the caller committed just before (new outbox rows, a new inbox row).
 */
export function coalesced(pass: () => Promise<void>): () => Promise<void> {
  let running = false;
  let next: { settled: Promise<void>; start: () => void } | undefined;
  const run = (): Promise<void> => {
    running = true;
    return pass().finally(() => {
      running = false;
      const queued = next;
      next = undefined;
      queued?.start();
    });
  };
  return () => {
    if (!running) return run();
    if (!next) {
      let start = () => {};
      const settled = new Promise<void>((resolve, reject) => {
        start = () => void run().then(resolve, reject);
      });
      next = { settled, start };
    }
    return next.settled;
  };
}
