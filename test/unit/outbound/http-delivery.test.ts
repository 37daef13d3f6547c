import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson } from '../../../providers/shared/http-delivery';

describe('postJson', () => {
  let server: Server;
  let handle: RequestListener;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => handle(req, res));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(
    () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  );

  const post = (timeoutMs: number, signal?: AbortSignal) =>
    postJson({ url, headers: {}, body: '{}', timeoutMs, allowPrivateDestinations: true, secretHeaders: [], signal });

  it('keeps an answer that was already waiting when its timer ran late on a busy event loop', async () => {
    handle = (_req, res) => {
      res.writeHead(200).end('ok');
      // The process is busy past the attempt's timeout while the answer sits in the socket.
      const until = Date.now() + 1500;
      while (Date.now() < until);
    };
    expect(await post(1000)).toMatchObject({ outcome: 'success', statusCode: 200 });
  });

  it('still times out a destination that does not answer', async () => {
    handle = () => undefined;
    expect(await post(200)).toMatchObject({ outcome: 'retry', statusCode: null, error: 'timed out after 200 ms' });
  });

  it('gives up a request in flight when its signal aborts, with the signal’s reason', async () => {
    const stop = new AbortController();
    handle = () => stop.abort(new Error('cancelled: the destination answered 410 Gone'));
    expect(await post(10_000, stop.signal)).toMatchObject({ outcome: 'retry', statusCode: null, error: 'cancelled: the destination answered 410 Gone' });
  });
});
