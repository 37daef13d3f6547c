import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Status this fake answered with (undefined while hanging). */
  status?: number;
  /** The caller closed the connection before an answer (it gave up, was aborted, or died). */
  abandoned?: boolean;
}

/** `hang`: never answer (the caller's timeout has to fire); `reset`: drop the connection (a network failure). */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang' | 'reset';
/** An answer now, or once the promise settles (the request is held open meanwhile). */
export type Reply = Answer | Promise<Answer>;

export interface FakeServer {
  url: string;
  requests: ReceivedRequest[];
  /** How the next requests are answered; replace it to change behaviour mid-test. */
  respond: (request: ReceivedRequest) => Reply;
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 that records every request and answers with `respond`. */
export async function startFakeServer(respond: FakeServer['respond'] = () => ({ status: 200 })): Promise<FakeServer> {
  const fake: FakeServer = { url: '', requests: [], respond, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      fake.requests.push(received);
      res.on('close', () => {
        if (received.status === undefined) received.abandoned = true;
      });
      const answer = (reply: Answer) => {
        if (reply === 'hang' || received.abandoned) return;
        if (reply === 'reset') {
          req.socket.destroy();
          return;
        }
        received.status = reply.status;
        const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(body);
      };
      const reply = fake.respond(received);
      if (reply instanceof Promise) void reply.then(answer);
      else answer(reply);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((closed) => {
      server.closeAllConnections();
      server.close(() => closed());
    });
  return fake;
}

/** Answers from a script, one reply per request, then the last reply forever. */
export function scripted(...replies: Answer[]): FakeServer['respond'] {
  let next = 0;
  return () => replies[Math.min(next++, replies.length - 1)];
}
