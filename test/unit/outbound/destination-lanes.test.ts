import { DestinationLanes } from '../../../activities/outbound/destination-lanes';

describe('destination lanes (per worker process)', () => {
  it('holds at most the limit of first attempts per destination and hands a released lane to the longest waiter', async () => {
    const lanes = new DestinationLanes(2);
    const [a, b] = [await lanes.enter('d1', true), await lanes.enter('d1', true)];
    const order: string[] = [];
    const third = lanes.enter('d1', true).then((lane) => (order.push('third'), lane));
    const fourth = lanes.enter('d1', true).then((lane) => (order.push('fourth'), lane));
    // Another destination and retries (unlimited) are not held up.
    expect(await lanes.enter('d2', true)).toBeDefined();
    expect(await lanes.enter('d1', false)).toBeDefined();
    expect(order).toEqual([]);
    a!.release();
    a!.release(); // a second release frees nothing more
    expect(await third).toBeDefined();
    expect(order).toEqual(['third']);
    b!.release();
    expect(await fourth).toBeDefined();
    expect(order).toEqual(['third', 'fourth']);
  });

  it('on stop aborts what is in flight, turns waiters and newcomers away, and forgets the destination once all have left', async () => {
    const lanes = new DestinationLanes(1);
    const inFlight = await lanes.enter('d1', true);
    const retry = await lanes.enter('d1', false);
    const waiting = lanes.enter('d1', true);
    lanes.stop('d1');
    expect(inFlight!.signal.aborted).toBe(true);
    expect(retry!.signal.aborted).toBe(true);
    expect(String(inFlight!.signal.reason)).toContain('410 Gone');
    expect(await waiting).toBeUndefined();
    expect(await lanes.enter('d1', true)).toBeUndefined();
    expect(await lanes.enter('d1', false)).toBeUndefined();
    inFlight!.release();
    retry!.release();
    // From then on the destination's row (`gone_at`) tells; the lanes start afresh.
    const later = await lanes.enter('d1', true);
    expect(later!.signal.aborted).toBe(false);
  });
});
