import { type FakeServer, type ReceivedRequest, type Reply, startFakeServer } from './http-server';

export interface FakeProviderApi extends FakeServer {
  /** Tokens the API accepts; delete one and it answers 401 to it from then on. */
  tokens: Set<string>;
  /** Drop every connection: a network failure, not an answer. */
  down: boolean;
  /** Requests that reached a route (not counting dropped ones). */
  calls(path: string): ReceivedRequest[];
}

export interface ProviderApiShape {
  tokenOf(request: ReceivedRequest): string | undefined;
  /** The 200 body for a path, or undefined for a 404. */
  route(path: string): unknown;
  /** The provider's own 401 body. */
  unauthorized: unknown;
  /** A whole reply for an authorized request the provider answers with more than a 200 body (a 207 batch read); undefined: `route`. */
  reply?(request: ReceivedRequest): Reply | undefined;
}

/** A provider API that checks a token the way the real one does and answers like it, on 127.0.0.1. */
export async function startFakeProviderApi(shape: ProviderApiShape, tokens: string[]): Promise<FakeProviderApi> {
  const api = Object.assign(await startFakeServer(), { tokens: new Set(tokens), down: false }) as FakeProviderApi;
  const pathOf = (request: ReceivedRequest) => request.path.split('?')[0];
  api.respond = (request) => {
    if (api.down) return 'reset';
    const token = shape.tokenOf(request);
    if (!token || !api.tokens.has(token)) return { status: 401, body: shape.unauthorized };
    const reply = shape.reply?.({ ...request, path: pathOf(request) });
    if (reply) return reply;
    const body = shape.route(pathOf(request));
    return body === undefined ? { status: 404, body: { error: 'not found' } } : { status: 200, body };
  };
  api.calls = (path) => api.requests.filter((request) => pathOf(request) === path);
  return api;
}

export const bearer = (request: ReceivedRequest) => request.headers.authorization?.replace(/^Bearer\s+/i, '');
