import { BackgroundWork } from '../../../lib/background';

/** After every callback and promise job queued so far. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BackgroundWork', () => {
  it('stop waits for the runs in flight, then refuses new ones', async () => {
    const background = new BackgroundWork();
    let finish = () => {};
    const work = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const running = background.run(work);
    let stopped = false;
    const stopping = background.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    finish();
    await running;
    await stopping;
    expect(stopped).toBe(true);
    await background.run(work);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('gives the caller a failed run, and stop still settles', async () => {
    const background = new BackgroundWork();
    await expect(background.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(background.stop()).resolves.toBeUndefined();
  });

  it('runs timed work until stopped', async () => {
    jest.useFakeTimers();
    try {
      const background = new BackgroundWork();
      const work = jest.fn(async () => {});
      background.every(100, work);
      jest.advanceTimersByTime(250);
      expect(work).toHaveBeenCalledTimes(2);
      await background.stop();
      jest.advanceTimersByTime(1000);
      expect(work).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
