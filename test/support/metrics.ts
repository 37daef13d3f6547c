import type { Harness } from './harness';

/** One sample of a metric in Prometheus text format (0 when absent); labels must all match. */
export function sampleOf(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([^{\s]+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return 0;
}

/** `GET /metrics` as a reader of one metric at a time. */
export async function scrape(h: Harness): Promise<(name: string, labels?: Record<string, string>) => number> {
  const response = await h.api('GET', '/metrics');
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return (name, labels) => sampleOf(response.text, name, labels);
}
