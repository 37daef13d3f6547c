import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { isAmountPending } from '../../db/queries/amounts';
import { caller } from '../auth';
import type { ApiContext } from '../context';
import { invalid } from '../errors';
import { orderedRange, rangeParams } from '../list-query';
import { formatMinor } from '../money-view';
import { bucketStarts, INTERVALS } from '../time-buckets';
import { parseWith } from '../validate';

/** Enough for 41 days by the hour or 19 years by the week; more is a 400, not a huge answer. */
const MAX_BUCKETS = 1000;
const DEFAULT_RANGE_MS = 30 * 24 * 3600 * 1000;
export const Query = z.strictObject({ interval: z.enum(INTERVALS).default('day'), ...rangeParams }).refine(...orderedRange);

interface Totals {
  counts: { lead: number; sale: number; refund: number };
  revenue: Map<string, { sales: number; refunds: number }>;
}

function revenueView(revenue: Totals['revenue']) {
  return [...revenue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, { sales, refunds }]) => ({
      currency,
      salesMinor: sales,
      refundsMinor: refunds,
      netMinor: sales - refunds,
      sales: formatMinor(sales, currency),
      refunds: formatMinor(refunds, currency),
      net: formatMinor(sales - refunds, currency),
    }));
}

/**
 * `GET /v1/analytics/conversions`: conversions per type and revenue per currency in UTC buckets.
 * Test rows and sales still waiting for their amount never count. Refunds are reported apart from sales (stored as positive amounts; abs()
 * in case a provider sends them negative) and `net` is sales minus refunds.
 */
export function analyticsRouter({ db }: ApiContext): Router {
  const router = Router();
  router.get('/conversions', async (req, res) => {
    const query = parseWith(Query, req.query, 'query');
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
    const starts = bucketStarts(from, to, query.interval, MAX_BUCKETS);
    if (!starts) throw invalid([{ path: 'query.from', message: `the range holds more than ${MAX_BUCKETS} ${query.interval} buckets` }]);

    let select = db
      .selectFrom('conversions')
      .select([
        sql<Date>`date_trunc(${sql.lit(query.interval)}, occurred_at, 'UTC')`.as('bucket'),
        'type',
        'currency',
        sql<number>`count(*)`.as('count'),
        sql<number>`coalesce(sum(abs(amount_minor)), 0)::bigint`.as('amount_minor'),
      ])
      .where('workspace_id', '=', caller(res).workspaceId)
      .where('is_test', '=', false)
      // A sale waiting for its amount counts once it has one (as it is announced then).
      .where((eb) => eb.not(isAmountPending))
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .groupBy([sql`1`, 'type', 'currency']);
    if (query.integrationId) select = select.where('integration_id', '=', query.integrationId);

    const buckets = new Map<number, Totals>(starts.map((start) => [start.getTime(), { counts: { lead: 0, sale: 0, refund: 0 }, revenue: new Map() }]));
    for (const row of await select.execute()) {
      const totals = buckets.get(row.bucket.getTime())!;
      totals.counts[row.type] += row.count;
      if (row.type === 'lead' || !row.currency) continue;
      const revenue = totals.revenue.get(row.currency) ?? { sales: 0, refunds: 0 };
      revenue[row.type === 'sale' ? 'sales' : 'refunds'] += row.amount_minor;
      totals.revenue.set(row.currency, revenue);
    }
    res.json({
      interval: query.interval,
      from: from.toISOString(),
      to: to.toISOString(),
      timezone: 'UTC',
      buckets: [...buckets.entries()].map(([start, totals]) => ({ start: new Date(start).toISOString(), counts: totals.counts, revenue: revenueView(totals.revenue) })),
    });
  });
  return router;
}
