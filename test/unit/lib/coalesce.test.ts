import { coalesced } from '../../../lib/coalesce';

/**
 * Passes whose end the test decides. `started` records how many calls had been made when each pass
 * started; `most` the most passes running at once.
 */
function controlledPasses() {
  const started: number[] = [];
  const finish: Array<(error?: Error) => void> = [];
  let calls = 0;
  let active = 0;
  let most = 0;
  const run = coalesced(
    () =>
      new Promise<void>((resolve, reject) => {
        started.push(calls);
        active += 1;
        most = Math.max(most, active);
        finish.push((error) => {
          active -= 1;
          if (error) reject(error);
          else resolve();
        });
      }),
  );
  const call = () => {
    calls += 1;
    return run();
  };
  return { call, started, finish, active: () => active, most: () => most };
}

describe('coalesced passes', () => {
  it('runs one pass at a time, and the calls made during a pass share the single pass after it', async () => {
    const { call, started, finish } = controlledPasses();
    const first = call();
    const second = call();
    const third = call();
    expect(started).toEqual([1]);
    expect(second).toBe(third);

    finish[0]();
    await first;
    // The shared pass started after all three calls.
    expect(started).toEqual([1, 3]);
    finish[1]();
    await Promise.all([second, third]);
    expect(started).toHaveLength(2);
  });

  it('starts the next pass even when the running one fails', async () => {
    const { call, started, finish } = controlledPasses();
    const failing = call();
    const next = call();
    finish[0](new Error('database down'));
    await expect(failing).rejects.toThrow('database down');
    expect(started).toEqual([1, 2]);
    finish[1]();
    await expect(next).resolves.toBeUndefined();
  });

  it('never runs two passes at once, even for a call made in the ticks after a pass ends', async () => {
    const { call, finish, active, most } = controlledPasses();
    const calls = [call(), call()];
    finish.shift()!();
    // A call at every microtask step while the first pass settles and the queued one starts.
    for (let tick = 0; tick < 10; tick++) {
      calls.push(call());
      await Promise.resolve();
    }
    while (active() > 0 || finish.length > 0) {
      finish.shift()?.();
      await new Promise(setImmediate);
    }
    await Promise.all(calls);
    expect(most()).toBe(1);
  });
});
