/**
 * Work a process starts without awaiting it: a dispatch after a commit, a sweep on a timer. `stop()` clears the
 * timers, refuses new runs and settles once the runs in flight have, so the process destroys its database pool
 * after them, not under them ("driver has already been destroyed").
 */
export class BackgroundWork {
  #stopped = false;
  readonly #running = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Runs `work` now, or not at all once stopping; the caller gets its promise. */
  run(work: () => Promise<void>): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const running = work();
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
    return running;
  }

  /** Runs `work` (which handles its own errors) every `ms` until stopped; the timer keeps no process alive. */
  every(ms: number, work: () => Promise<void>): void {
    const timer = setInterval(() => void this.run(work), ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Stops the timers and new runs; settles when every run in flight has. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
    await Promise.all([...this.#running]);
  }
}
