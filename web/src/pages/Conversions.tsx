import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api/client';
import { type Conversion, type ConversionPage, type ConversionsSeries, everyValue } from '../api/types';
import { ErrorMessage, Listing, Loading, Section, Select, useLoad, when } from '../components/ui';
import { RecentCustomers, RecentEvents } from './RecordTables';

const RANGES: Record<string, number> = { '24 hours': 1, '7 days': 7, '30 days': 30, '90 days': 90 };
const INTERVALS = ['hour', 'day', 'week', 'month'];
const CONVERSION_TYPES = everyValue<Conversion['type']>({ lead: true, sale: true, refund: true });


/** Conversions and net revenue per currency, one series each, over the chosen buckets. */
function Chart({ series }: { series: ConversionsSeries }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const currencies = [...new Set(series.buckets.flatMap((b) => b.revenue.map((r) => r.currency)))];
    const x = series.buckets.map((b) => Date.parse(b.start) / 1000);
    const conversions = series.buckets.map((b) => b.counts.lead + b.counts.sale + b.counts.refund);
    const revenue = currencies.map((currency) => series.buckets.map((b) => Number(b.revenue.find((r) => r.currency === currency)?.net ?? 0)));
    const plot = new uPlot(
      {
        width: Math.min(box.current.clientWidth || 800, 1000),
        height: 280,
        scales: { x: { time: true } },
        axes: [{}, { label: 'conversions' }, { side: 1, scale: 'money', label: 'net revenue', grid: { show: false } }],
        series: [
          {},
          { label: 'conversions', stroke: '#0969da', width: 2 },
          ...currencies.map((currency, index) => ({ label: `net ${currency}`, scale: 'money', stroke: ['#1a7f37', '#bf8700', '#8250df'][index % 3], width: 2 })),
        ],
      },
      [x, conversions, ...revenue],
      box.current,
    );
    return () => plot.destroy();
  }, [series]);
  return <div ref={box} role="img" aria-label={`Conversions and net revenue per ${series.interval}`} data-testid="chart" />;
}

export function Conversions() {
  const [range, setRange] = useState('30 days');
  const [interval, setInterval] = useState('day');
  const [type, setType] = useState('');
  const query = () => {
    const to = new Date();
    const from = new Date(to.getTime() - RANGES[range]! * 86400_000);
    return new URLSearchParams({ interval, from: from.toISOString(), to: to.toISOString() }).toString();
  };
  const series = useLoad(() => api<ConversionsSeries>(`/analytics/conversions?${query()}`), [range, interval]);
  const recent = useLoad(() => api<ConversionPage>(`/conversions${type ? `?type=${type}` : ''}`), [type]);
  const totals = series.data?.buckets.reduce((sum, b) => sum + b.counts.lead + b.counts.sale + b.counts.refund, 0);
  return (
    <main>
      <h1>Conversions</h1>
      <div className="filters">
        <Select label="Range" value={range} options={Object.keys(RANGES)} onChange={setRange} />
        <Select label="Interval" value={interval} options={INTERVALS} onChange={setInterval} />
      </div>
      <Section title="Over time">
        <ErrorMessage error={series.error} />
        {series.data ? (
          <>
            <p data-testid="conversion-total">{totals} conversions in the last {range}</p>
            <Chart series={series.data} />
          </>
        ) : series.loading ? (
          <Loading what="the chart" />
        ) : null}
      </Section>
      <Section title="Recent conversions" actions={<Select label="Type" value={type} options={CONVERSION_TYPES} onChange={setType} all />}>
        <Listing
          rows={recent.data?.data}
          error={recent.error}
          what="conversions"
          head={['When', 'Type', 'Amount', 'Customer', 'Id']}
          cells={(row) => [when(row.occurredAt), row.type, row.amount ?? '', <code>{row.customerId ?? ''}</code>, <code>{row.id}</code>]}
        />
      </Section>
      <RecentCustomers />
      <RecentEvents />
    </main>
  );
}
