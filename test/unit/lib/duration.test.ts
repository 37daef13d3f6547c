import { formatDuration } from '../../../lib/duration';

describe('formatDuration', () => {
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const DAY = 24 * HOUR;

  it('says minutes under an hour, hours under two days, then days', () => {
    expect(formatDuration(5 * MIN)).toBe('5 min');
    expect(formatDuration(59 * MIN)).toBe('59 min');
    expect(formatDuration(HOUR)).toBe('1 h');
    expect(formatDuration(6 * HOUR)).toBe('6 h');
    expect(formatDuration(47 * HOUR)).toBe('47 h');
    expect(formatDuration(2 * DAY)).toBe('2 days');
    expect(formatDuration(3 * DAY)).toBe('3 days');
    expect(formatDuration(3 * DAY + 5 * HOUR)).toBe('3 days');
  });

  it('says seconds under a minute and milliseconds under a second, never "0" of a larger unit', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(300)).toBe('300 ms');
    expect(formatDuration(2000)).toBe('2 s');
    expect(formatDuration(59_000)).toBe('59 s');
  });

  it('rounds into the next unit rather than saying 60 of one', () => {
    expect(formatDuration(999.7)).toBe('1 s');
    expect(formatDuration(59.6 * 1000)).toBe('1 min');
    expect(formatDuration(59.6 * MIN)).toBe('1 h');
    expect(formatDuration(47.6 * HOUR)).toBe('2 days');
  });
});
