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
