import { coalesced } from '../../../lib/coalesce';

/** A pass whose end the test decides; records which calls had been made when each pass started. */
function controlledPass() {
  const started: number[] = [];
  const finish: Array<(error?: Error) => void> = [];
  let calls = 0;
  const pass = () =>
    new Promise<void>((resolve, reject) => {
      started.push(calls);
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  return { pass, started, finish, called: () => (calls += 1) };
}

describe('coalesced passes', () => {
  it('runs one pass at a time, and the calls made during a pass share the single pass after it', async () => {
    const { pass, started, finish, called } = controlledPass();
    const run = coalesced(pass);
    called();
    const first = run();
    called();
    const second = run();
    called();
    const third = run();
    expect(started).toEqual([1]);
    expect(second).toBe(third);

    finish[0]();
    await first;
    await new Promise(setImmediate);
    // The shared pass started after all three calls.
    expect(started).toEqual([1, 3]);
    finish[1]();
    await Promise.all([second, third]);
    expect(started).toHaveLength(2);
  });

  it('starts the next pass even when the running one fails', async () => {
    const { pass, started, finish, called } = controlledPass();
    const run = coalesced(pass);
    called();
    const failing = run();
    called();
    const next = run();
    finish[0](new Error('database down'));
    await expect(failing).rejects.toThrow('database down');
    await new Promise(setImmediate);
    expect(started).toEqual([1, 2]);
    finish[1]();
    await expect(next).resolves.toBeUndefined();
  });
});

describe('coalesced passes, strictly one at a time', () => {
  it('never runs two passes at once, even for a call made in the ticks after a pass ends', async () => {
    let active = 0;
    let most = 0;
    const finishers: Array<() => void> = [];
    const run = coalesced(
      () =>
        new Promise<void>((resolve) => {
          active += 1;
          most = Math.max(most, active);
          finishers.push(() => {
            active -= 1;
            resolve();
          });
        }),
    );
    const calls = [run(), run()];
    finishers.shift()!();
    // A call at every microtask step while the first pass settles and the queued one starts.
    for (let tick = 0; tick < 10; tick++) {
      calls.push(run());
      await Promise.resolve();
    }
    while (active > 0 || finishers.length > 0) {
      finishers.shift()?.();
      await new Promise(setImmediate);
    }
    await Promise.all(calls);
    expect(most).toBe(1);
  });
});
