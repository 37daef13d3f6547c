import { sql } from 'kysely';
import type { Receiver } from '../support/fakes/receiver';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';

const EVENTS = 1000;
const THRESHOLD = 20;

describe('1,000 events to 5 destinations, one of them down', () => {
  let h: Harness;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;

  const statusCounts = async (integrationId: string) => {
    const rows = await h.db
      .selectFrom('deliveries')
      .select(['status', sql<number>`count(*)`.as('count')])
      .where('integration_id', '=', integrationId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  };
  /** Every event answered 2xx exactly once, and nothing else received. */
  const gotEachOnce = (receiver: Receiver, ids: string[]) => {
    const delivered = receiver.delivered();
    return delivered.size === ids.length && ids.every((id) => delivered.get(id) === 1);
  };

  beforeAll(async () => {
    h = await startHarness({ DELIVERY_RETRY_INITIAL_MS: '100', DELIVERY_RETRY_MAX_MS: '500', DELIVERY_FAILURE_THRESHOLD: String(THRESHOLD) });
    key = (await h.newWorkspace()).key;
    out = outboundHelpers(h, () => key);
  });
  afterAll(() => out.stop());

  it('delivers every event exactly once to the healthy ones; the broken one goes to error at the threshold and catches up after resume', async () => {
    let down = true;
    const [webhookA, webhookB, webhookC, zap] = await Promise.all([1, 2, 3, 4].map(() => out.receiver()));
    const broken = await out.receiver(() => ({ status: down ? 503 : 200 }));
    const webhookIds: string[] = [];
    for (const receiver of [webhookA, webhookB, webhookC]) webhookIds.push((await out.installWebhook(`${receiver.url}/in`, receiver.secret)).id);
    // The Zapier hook signs with a secret it never sees: its receiver checks delivery, not signatures.
    const hook = await out.api('POST', '/v1/hooks', { target_url: `${zap.url}/zap`, event: 'sale.created' }, 201);
    const brokenId = (await out.installWebhook(`${broken.url}/in`, broken.secret)).id;

    const eventIds: string[] = [];
    for (let start = 0; start < EVENTS; start += 25) {
      const emitted = await Promise.all(Array.from({ length: Math.min(25, EVENTS - start) }, () => out.emit(saleEvent())));
      eventIds.push(...emitted.map((event) => event.id));
    }

    for (const receiver of [webhookA, webhookB, webhookC, zap]) {
      await waitFor(() => gotEachOnce(receiver, eventIds), 'every event once at a healthy destination', 150_000);
      expect(receiver.requests).toHaveLength(EVENTS);
    }
    for (const request of webhookA.requests.slice(0, 50)) expect(webhookA.verify(request)).toMatchObject({ type: 'sale.created' });
    for (const id of [...webhookIds, hook.body.id]) {
      await waitFor(async () => (await statusCounts(id)).succeeded === EVENTS, 'every delivery recorded');
      expect(await statusCounts(id)).toEqual({ succeeded: EVENTS });
    }

    await waitFor(async () => (await out.state(brokenId)) === 'error', 'the broken destination to go to error');
    const fail = await h.db.selectFrom('integration_transitions').selectAll().where('integration_id', '=', brokenId).where('action', '=', 'fail').execute();
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatchObject({ actor: 'system:outbound', to_state: 'error', reason: expect.stringMatching(/^\d+ consecutive delivery failures \(last: HTTP 503\)$/) });
    expect(Number.parseInt(fail[0].reason!, 10)).toBeGreaterThanOrEqual(THRESHOLD);
    expect(fail[0].reason_code).toBe('delivery_failures');
    const stuck = (await out.api('GET', `/v1/integrations/${brokenId}/diagnostics`, undefined, 200)).body.findings.find((finding: any) => finding.scenario === 'stuck_in_error');
    expect(stuck.likelyCause).toMatch(/kept failing/);
    const announced = await h.db.selectFrom('events').select('data').where('type', '=', 'integration.error').execute();
    expect(announced.map((event) => event.data.integrationId)).toContain(brokenId);

    // Deliveries stop: everything still in flight settles as held, nothing more reaches the receiver.
    const settled = await waitFor(async () => {
      const counts = await statusCounts(brokenId);
      return !counts.pending && !counts.delivering && counts;
    }, 'the broken destination to stop');
    expect(settled.held).toBeGreaterThan(EVENTS / 2);
    expect(broken.delivered().size).toBe(0);
    expect(broken.requests.length).toBeGreaterThanOrEqual(THRESHOLD);
    expect(broken.requests.length).toBeLessThan(EVENTS / 5);

    down = false;
    await out.api('POST', `/v1/integrations/${brokenId}/resume`, { reason: 'endpoint fixed' }, 200);
    await waitFor(() => gotEachOnce(broken, eventIds), 'the resumed destination to catch up', 150_000);
    await waitFor(async () => (await statusCounts(brokenId)).succeeded === EVENTS, 'the catch-up to be recorded');
    expect(await statusCounts(brokenId)).toEqual({ succeeded: EVENTS });
    const health = (await out.api('GET', `/v1/integrations/${brokenId}/deliveries`, undefined, 200)).body.health;
    expect(health).toMatchObject({ consecutiveFailures: 0, failingSince: null });
    for (const receiver of [webhookA, webhookB, webhookC, zap]) expect(receiver.requests).toHaveLength(EVENTS);
  }, 400_000);
});
