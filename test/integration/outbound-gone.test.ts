import { DELIVERY_CONCURRENCY } from '../../contract/delivery';
import type { Answer, ReceivedRequest } from '../support/fakes/http-server';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';

const EVENTS = 60;
const GONE = 'the destination answered 410 Gone';

describe('a destination that answers 410 to a burst', () => {
  let h: Harness;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;

  beforeAll(async () => {
    // Requests are held open while the test looks: no attempt may time out meanwhile.
    h = await startHarness({ DELIVERY_TIMEOUT_MS: '120000' });
    key = (await h.newWorkspace()).key;
    out = outboundHelpers(h, () => key);
  });
  afterAll(() => out.stop());

  const emitAll = async (count: number) => {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 10) ids.push(...(await Promise.all(Array.from({ length: Math.min(10, count - start) }, () => out.emit(saleEvent())))).map((event) => event.id));
    return ids;
  };

  it('stops at the first 410: the requests in flight are aborted, nothing new starts, the rest is not sent, and it is disconnected', async () => {
    // Every request is held open until the test answers it.
    const answers = new Map<ReceivedRequest, (answer: Answer) => void>();
    const gone = await out.receiver((request) => new Promise<Answer>((answer) => answers.set(request, answer)));
    const { id } = await out.installWebhook(`${gone.url}/in`, gone.secret);
    await emitAll(EVENTS);

    // Whatever the number of batches, the destination gets DELIVERY_CONCURRENCY first attempts at once from this
    // worker (the lanes, unit-tested); on a slow machine a batch that waited past its deadline for a lane hands its
    // deliveries back as retries, which are sent beside them (README: "plus any retries in flight").
    await waitFor(async () => gone.requests.length >= DELIVERY_CONCURRENCY && (await out.deliveries(id)).length === EVENTS, 'the lanes to fill', 60_000);
    const [first] = gone.requests;
    answers.get(first)!({ status: 410 });

    const settled = await waitFor(async () => {
      const rows = await out.deliveries(id);
      return rows.every((delivery) => delivery.status !== 'pending' && delivery.status !== 'delivering') && rows;
    }, 'every delivery to settle', 60_000);
    await waitFor(async () => (await out.state(id)) === 'disconnected', 'the destination to be disconnected');
    // Every other request that reached the receiver was in flight when the 410 came back: the worker aborted it.
    const inFlight = gone.requests.filter((request) => request !== first);
    await waitFor(() => inFlight.every((request) => request.abandoned), 'the requests in flight beside the 410 to be aborted', 60_000);
    const reached = gone.requests.length;
    expect(reached).toBeGreaterThanOrEqual(DELIVERY_CONCURRENCY);

    const byEvent = new Map(settled.map((delivery) => [delivery.eventId, delivery]));
    const eventOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);
    expect(byEvent.get(eventOf(first))).toMatchObject({ status: 'disabled', reason: GONE, lastStatusCode: 410, attemptCount: 1 });
    for (const request of inFlight) expect(byEvent.get(eventOf(request))).toMatchObject({ status: 'skipped', reason: `cancelled in flight: ${GONE}`, lastStatusCode: null });
    const sent = new Set(gone.requests.map(eventOf));
    const unsent = settled.filter((delivery) => !sent.has(delivery.eventId));
    expect(unsent).toHaveLength(EVENTS - reached);
    // Stopped by the 410, or found the destination already disconnected: either way never sent.
    for (const delivery of unsent) expect(delivery).toMatchObject({ status: 'skipped', reason: expect.stringMatching(new RegExp(`^(not sent: ${GONE}|disconnected)$`)), attemptCount: 0 });
    const disconnects = await h.db.selectFrom('integration_transitions').selectAll().where('integration_id', '=', id).where('action', '=', 'disconnect').execute();
    expect(disconnects).toEqual([expect.objectContaining({ actor: 'system:outbound', reason: GONE })]);
    expect(disconnects[0].reason_code).toBe('destination_gone');

    // Afterwards it gets nothing: later events reach another destination, not this one.
    const witness = await out.receiver();
    await out.installWebhook(`${witness.url}/in`, witness.secret);
    const later = await emitAll(5);
    await waitFor(() => witness.delivered().size === later.length, 'the later events at the witness');
    expect(gone.requests).toHaveLength(reached);
    expect(await out.deliveries(id)).toHaveLength(EVENTS);
  });
});
