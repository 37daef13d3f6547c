import { parseArgs } from 'node:util';

export const SCENARIOS = ['accept', 'end-to-end', 'outbound', 'events', 'relay'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Sizes of one bench run; every figure has a flag and a `BENCH_*` environment variable. */
export interface BenchOptions {
  /** Signed webhooks per accept configuration (and per baseline run). */
  acceptRequests: number;
  /** Rounds of the baseline and accept runs per concurrency (the report gives each configuration's median). */
  acceptRounds: number;
  /** Client concurrencies for the accept and baseline runs. */
  concurrency: number[];
  /** How many integrations the "spread" accept run and the end-to-end runs share the load over. */
  integrations: number;
  /** End to end: events sent as fast as the service takes them, until every one is a conversion. */
  events: number;
  /** End to end: offered rate (events/s) of the processing-lag run. */
  rate: number;
  /** End to end: how long the lag run offers that rate. */
  lagSeconds: number;
  /** Outbound: deliveries per run (one clean run, one with failing requests). */
  deliveries: number;
  /** Outbound: the receiver answers 500 to every n-th request in the failure run (10 → 10%). */
  failEvery: number;
  /** Relay: signed webhooks whose sales are forwarded to a webhook destination. */
  relayEvents: number;
  /** The scenarios to run (all by default); the targets of the others are left out of the report. */
  only: Scenario[];
  /** Write V8 CPU profiles of the API and the worker (`--cpu-prof`) next to the results. */
  profile: boolean;
  /** Where the JSON results go. */
  out: string;
}

export const DEFAULTS: BenchOptions = {
  acceptRequests: 3000,
  acceptRounds: 3,
  concurrency: [50, 200],
  integrations: 20,
  // Smaller than the full measurement (README, Performance): at today's ~350–450 events/s and ~750
  // deliveries/s on 2 cores, these end in about 3 minutes; 20,000 / 20 s / 5,000 take about 6.
  events: 10000,
  rate: 500,
  lagSeconds: 10,
  deliveries: 2000,
  failEvery: 10,
  relayEvents: 2000,
  only: [...SCENARIOS],
  profile: false,
  out: 'bench/results/latest.json',
};

const FLAGS = {
  'accept-requests': 'acceptRequests',
  'accept-rounds': 'acceptRounds',
  concurrency: 'concurrency',
  integrations: 'integrations',
  events: 'events',
  rate: 'rate',
  'lag-seconds': 'lagSeconds',
  deliveries: 'deliveries',
  'fail-every': 'failEvery',
  'relay-events': 'relayEvents',
  only: 'only',
  out: 'out',
} as const satisfies Record<string, keyof BenchOptions>;

export const USAGE = `npm run bench -- [options]     (each option also reads BENCH_<NAME>, e.g. BENCH_EVENTS=20000)
  --accept-requests N   signed webhooks per accept run and per baseline run   (${DEFAULTS.acceptRequests})
  --accept-rounds N     rounds of baseline and accept runs (medians reported) (${DEFAULTS.acceptRounds})
  --concurrency A,B     client concurrencies of the accept runs               (${DEFAULTS.concurrency.join(',')})
  --integrations N      integrations of the spread accept run and end to end  (${DEFAULTS.integrations})
  --events N            end-to-end events at full speed                       (${DEFAULTS.events})
  --rate N              offered events/s of the processing-lag run            (${DEFAULTS.rate})
  --lag-seconds N       duration of the processing-lag run                    (${DEFAULTS.lagSeconds})
  --deliveries N        outbound deliveries per run                           (${DEFAULTS.deliveries})
  --fail-every N        the failure run's receiver answers 500 to every N-th  (${DEFAULTS.failEvery})
  --relay-events N      relay: webhooks whose sales go on to a destination    (${DEFAULTS.relayEvents})
  --only A,B            run only these of ${SCENARIOS.join(', ')} (accept: webhooks, baseline; events: POST /v1/events)
  --profile             CPU profiles of the API and worker into bench/results/profiles
  --out FILE            JSON results                                          (${DEFAULTS.out})
Uses TEMPORAL_ADDRESS / DATABASE_URL when set; otherwise starts an in-memory Temporal dev server and a
throwaway database linquid_bench_* on postgres://postgres@127.0.0.1:5432 (dropped at the end). A DATABASE_URL
keeps the bench's rows and must not be shared with a running service: its workers would dispatch the bench's
outbox on their own task queue.`;

function envName(flag: string): string {
  return `BENCH_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function positive(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${flag} must be a positive integer, got ${raw}`);
  return value;
}

function scenario(raw: string): Scenario {
  const known = SCENARIOS.find((name) => name === raw);
  if (!known) throw new Error(`--only takes ${SCENARIOS.join(', ')}; got ${raw}`);
  return known;
}

/** Flags win over `BENCH_*` variables, which win over the defaults. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const options: BenchOptions = { ...DEFAULTS, profile: values.profile === true || env.BENCH_PROFILE === 'true' };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const raw = (values as Record<string, string | undefined>)[flag] ?? env[envName(flag)];
    if (raw === undefined) continue;
    if (key === 'out') options.out = raw;
    else if (key === 'only') options.only = raw.split(',').map((part) => scenario(part.trim()));
    else if (key === 'concurrency') options.concurrency = raw.split(',').map((part) => positive(flag, part.trim()));
    else options[key] = positive(flag, raw);
  }
  return options;
}
