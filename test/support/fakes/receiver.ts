import { Webhook } from 'standardwebhooks';
import { type FakeServer, type ReceivedRequest, startFakeServer } from './http-server';

/** A webhook endpoint that checks our signatures with the official Standard Webhooks library. */
export interface Receiver extends FakeServer {
  secret: string;
  /** Verifies one recorded request; throws what the library throws. */
  verify(request: ReceivedRequest): unknown;
  /** Requests answered 2xx, by `webhook-id`. */
  delivered(): Map<string, number>;
}

export async function startReceiver(secret: string, respond?: FakeServer['respond']): Promise<Receiver> {
  const server = await startFakeServer(respond);
  const verifier = new Webhook(secret);
  return Object.assign(server, {
    secret,
    verify: (request: ReceivedRequest) => verifier.verify(request.body, request.headers as Record<string, string>),
    delivered: () => {
      const counts = new Map<string, number>();
      for (const request of server.requests) {
        if (request.status === undefined || request.status >= 300) continue;
        const id = String(request.headers['webhook-id']);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
  });
}
