import { randomId } from '../../../lib/crypto';

describe('randomId', () => {
  it('names ids with their prefix and base62 characters, never twice across pool refills', () => {
    // 12 bytes each: 10,000 ids draw ~30 pools of random bytes.
    const ids = Array.from({ length: 10_000 }, () => randomId('evt'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^evt_[A-Za-z0-9]{8,16}$/);
  });

  it('draws the bytes asked for, also more than a pool holds', () => {
    expect(randomId('big', 5000).length).toBeGreaterThan(5000);
    expect(randomId('x', 3)).toMatch(/^x_[A-Za-z0-9]{1,4}$/);
  });
});
