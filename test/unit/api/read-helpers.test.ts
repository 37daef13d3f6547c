import { formatMinor } from '../../../api/money-view';
import { bucketStart, bucketStarts } from '../../../api/time-buckets';

describe('formatMinor', () => {
  it.each([
    [1500, 'USD', '15.00'],
    [5, 'USD', '0.05'],
    [-500, 'usd', '-5.00'],
    [1500, 'JPY', '1500'],
    [12345, 'KWD', '12.345'],
    [-5, 'KWD', '-0.005'],
    [0, 'KWD', '0.000'],
    ['9007199254740993', 'USD', '90071992547409.93'],
  ])('%p %s → %s', (minor, currency, shown) => {
    expect(formatMinor(minor, currency)).toBe(shown);
  });
});

describe('time buckets (UTC, as date_trunc)', () => {
  it('truncates to the hour, day, Monday-started week and month', () => {
    const sunday = new Date('2024-03-10T23:59:59.999Z');
    expect(bucketStart(sunday, 'hour').toISOString()).toBe('2024-03-10T23:00:00.000Z');
    expect(bucketStart(sunday, 'day').toISOString()).toBe('2024-03-10T00:00:00.000Z');
    expect(bucketStart(sunday, 'week').toISOString()).toBe('2024-03-04T00:00:00.000Z');
    expect(bucketStart(new Date('2024-03-04T00:00:00Z'), 'week').toISOString()).toBe('2024-03-04T00:00:00.000Z');
    expect(bucketStart(sunday, 'month').toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it('lists every bucket up to the exclusive end, month lengths included, and refuses too many', () => {
    const months = bucketStarts(new Date('2024-01-31T12:00:00Z'), new Date('2024-04-01T00:00:00Z'), 'month', 10);
    expect(months?.map((d) => d.toISOString().slice(0, 10))).toEqual(['2024-01-01', '2024-02-01', '2024-03-01']);
    expect(bucketStarts(new Date('2024-03-01T00:00:00Z'), new Date('2024-03-01T03:00:00Z'), 'hour', 3)).toHaveLength(3);
    expect(bucketStarts(new Date('2024-03-01T00:00:00Z'), new Date('2024-03-01T03:00:01Z'), 'hour', 3)).toBeUndefined();
  });
});
