export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;
type Interval = (typeof INTERVALS)[number];

/** Start of the UTC bucket holding `at`, as PostgreSQL's `date_trunc(interval, at, 'UTC')` computes it. */
export function bucketStart(at: Date, interval: Interval): Date {
  const start = new Date(at);
  start.setUTCMinutes(0, 0, 0);
  if (interval !== 'hour') start.setUTCHours(0);
  // ISO weeks start on Monday (getUTCDay: Sunday is 0).
  if (interval === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  if (interval === 'month') start.setUTCDate(1);
  return start;
}

function nextBucket(start: Date, interval: Interval): Date {
  const next = new Date(start);
  if (interval === 'hour') next.setUTCHours(next.getUTCHours() + 1);
  else if (interval === 'day') next.setUTCDate(next.getUTCDate() + 1);
  else if (interval === 'week') next.setUTCDate(next.getUTCDate() + 7);
  else next.setUTCMonth(next.getUTCMonth() + 1);
  return next;
}

/**
 * Every bucket start from the one holding `from` up to `to` (exclusive), so a chart gets its empty
 * buckets too; undefined when there would be more than `max`.
 */
export function bucketStarts(from: Date, to: Date, interval: Interval, max: number): Date[] | undefined {
  const starts: Date[] = [];
  for (let start = bucketStart(from, interval); start < to; start = nextBucket(start, interval)) {
    if (starts.length === max) return undefined;
    starts.push(start);
  }
  return starts;
}
