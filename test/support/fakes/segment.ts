import { type FakeServer, startFakeServer } from './http-server';

export const SEGMENT_WRITE_KEY = 'segment-test-write-key';

export interface FakeSegment extends FakeServer {
  /** Accepted calls to `/v1/<method>`, bodies parsed. */
  accepted(method: 'track' | 'identify'): Array<Record<string, any>>;
}

/** Segment's HTTP Tracking API: Basic auth with the write key (no password), 200 `{ success: true }`. */
export async function startFakeSegment(): Promise<FakeSegment> {
  const expected = `Basic ${Buffer.from(`${SEGMENT_WRITE_KEY}:`).toString('base64')}`;
  const server = await startFakeServer((request) =>
    request.headers.authorization === expected ? { status: 200, body: { success: true } } : { status: 401, body: { error: 'invalid write key' } },
  );
  return Object.assign(server, {
    accepted: (method: 'track' | 'identify') =>
      server.requests.filter((request) => request.status === 200 && request.path === `/v1/${method}`).map((request) => JSON.parse(request.body)),
  });
}
