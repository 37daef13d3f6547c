import { type AcceptFigures, type AcceptRun, medianBaseline, summarizeAccept } from '../../../bench/accept';
import type { LoadResult } from '../../../bench/load';

const load = (requestsPerSecond: number): LoadResult => ({
  requests: 100,
  ok: 100,
  errors: {},
  durationMs: 1,
  requestsPerSecond,
  sentPerSecond: requestsPerSecond,
  latencyMs: { p50: 1, p95: 2, p99: 3, max: 4 },
});

const run = (round: number, integrations: number, worker: AcceptRun['worker'], ratioToBaseline: number): AcceptRun => ({
  round,
  concurrency: 50,
  integrations,
  worker,
  load: load(ratioToBaseline * 1000),
  cpuMsPerRequest: { api: round },
  ratioToBaseline,
});

describe('the accept measurement over rounds', () => {
  const figures: AcceptFigures = {
    rounds: 3,
    baseline: [1200, 900, 1000].map((rate, index) => ({ round: index + 1, concurrency: 50, load: load(rate), cpuMsPerRequest: {} })),
    runs: [
      run(1, 1, 'paused', 1.3),
      run(1, 20, 'paused', 0.7),
      run(2, 1, 'paused', 0.9),
      run(2, 20, 'paused', 1.1),
      run(3, 1, 'paused', 1.2),
      run(3, 20, 'paused', 1.0),
      run(1, 20, 'draining', 0.6),
    ],
  };

  it('gives each configuration its median round and the range of its ratios, in the order they ran', () => {
    const summaries = summarizeAccept(figures);
    expect(summaries.map(({ integrations, worker, ratio }) => ({ integrations, worker, ratio }))).toEqual([
      { integrations: 1, worker: 'paused', ratio: { median: 1.2, min: 0.9, max: 1.3 } },
      { integrations: 20, worker: 'paused', ratio: { median: 1.0, min: 0.7, max: 1.1 } },
      { integrations: 20, worker: 'draining', ratio: { median: 0.6, min: 0.6, max: 0.6 } },
    ]);
    // The median round's own figures, not an average of several rounds'.
    expect(summaries[0].median.cpuMsPerRequest).toEqual({ api: 3 });
  });

  it('takes the baseline round with the median rate', () => {
    expect(medianBaseline(figures, 50).round).toBe(3);
  });
});
