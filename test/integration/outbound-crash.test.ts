import type { ReceivedRequest } from '../support/fakes/http-server';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';

const EVENTS = 60;
/** Requests the receiver holds open (no answer) until the worker is killed. */
const HELD = 10;

describe('outbound deliveries across a worker crash', () => {
  let h: Harness;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;

  beforeAll(async () => {
    h = await startHarness({ DELIVERY_TIMEOUT_MS: '10000' });
    key = (await h.newWorkspace()).key;
    out = outboundHelpers(h, () => key);
  });
  afterAll(() => out.stop());

  const webhookId = (request: ReceivedRequest) => String(request.headers['webhook-id']);

  it('re-sends only the requests in flight when the worker was SIGKILLed; every event arrives, answered 2xx once', async () => {
    await h.stopWorker();
    const worker = await h.forkWorker();
    const held = new Set<string>();
    let killed = false;
    const receiver = await out.receiver((request) => {
      if (killed || held.size >= HELD) return { status: 200 };
      held.add(webhookId(request));
      return 'hang';
    });
    const { id } = await out.installWebhook(`${receiver.url}/in`, receiver.secret);
    const eventIds: string[] = [];
    for (let start = 0; start < EVENTS; start += 10) eventIds.push(...(await Promise.all(Array.from({ length: 10 }, () => out.emit(saleEvent())))).map((event) => event.id));

    // The kill lands while HELD requests are in flight and every request answered so far is recorded.
    const recorded = async () => (await out.deliveries(id)).filter((delivery) => delivery.status === 'succeeded');
    await waitFor(
      async () => held.size === HELD && receiver.delivered().size === EVENTS - HELD && (await recorded()).length === EVENTS - HELD,
      'HELD requests in flight and the others answered and recorded',
    );
    const inFlight = (await out.deliveries(id)).filter((delivery) => held.has(delivery.eventId));
    expect(inFlight.map((delivery) => [delivery.status, delivery.lastStatusCode, delivery.lastError])).toEqual(Array.from({ length: HELD }, () => ['delivering', null, null]));
    await worker.kill();
    killed = true;
    await waitFor(() => receiver.requests.filter((request) => held.has(webhookId(request))).every((request) => request.abandoned), 'the killed worker to drop its connections');

    await h.startWorker();
    await waitFor(() => receiver.delivered().size === EVENTS, 'every event to arrive', 120_000);
    await waitFor(async () => (await recorded()).length === EVENTS, 'every delivery to be recorded');

    expect(new Set(receiver.delivered().keys())).toEqual(new Set(eventIds));
    expect([...receiver.delivered().values()].every((count) => count === 1)).toBe(true);
    const requestsPerId = new Map<string, number>();
    for (const request of receiver.requests) requestsPerId.set(webhookId(request), (requestsPerId.get(webhookId(request)) ?? 0) + 1);
    const repeated = [...requestsPerId].filter(([, count]) => count > 1).map(([eventId]) => eventId);
    expect(new Set(repeated)).toEqual(held);
    expect(receiver.requests).toHaveLength(EVENTS + HELD);
    for (const request of receiver.requests.slice(-HELD)) expect(receiver.verify(request)).toMatchObject({ type: 'sale.created' });
  }, 240_000);
});
