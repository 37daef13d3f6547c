import { retryDelayMs } from '../../../activities/outbound/run';
import { outcomeOf, retryAfterMs, snippet } from '../../../providers/shared/http-delivery';

describe('delivery policy', () => {
  it.each([
    [200, 'success'], [204, 'success'], [301, 'retry'], [400, 'rejected'], [401, 'rejected'], [404, 'rejected'], [422, 'rejected'],
    [408, 'retry'], [409, 'retry'], [425, 'retry'], [429, 'retry'], [410, 'gone'], [500, 'retry'], [503, 'retry'],
  ])('classifies HTTP %i as %s', (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially up to the maximum over about 3 days, unless the destination says when', () => {
    const retry = { initialIntervalMs: 5000, maximumIntervalMs: 6 * 3600_000, windowMs: 3 * 86_400_000, attemptTimeoutMs: 15_000 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, retry))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(30, retry)).toBe(6 * 3600_000);
    expect(retryDelayMs(3, retry, 90_000)).toBe(90_000);
    let waited = 0;
    let attempts = 1;
    while (waited + retryDelayMs(attempts, retry) <= retry.windowMs) waited += retryDelayMs(attempts++, retry);
    expect(attempts).toBeGreaterThan(15);
    expect(attempts).toBeLessThan(30);
  });

  it('keeps the first KB of a response', () => {
    expect(Buffer.byteLength(snippet('é'.repeat(2000)))).toBeLessThanOrEqual(1024 + 3);
    expect(snippet('a\0b')).toBe('ab');
  });
});
