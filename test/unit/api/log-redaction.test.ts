import { Writable } from 'node:stream';
import pino from 'pino';
import { LOG_OPTIONS } from '../../../lib/logger';

/** What the service's logger would print for `fields`. */
function logged(fields: Record<string, unknown>): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  pino(LOG_OPTIONS, sink).warn(fields, 'something happened');
  return out;
}

describe('log redaction', () => {
  it('prints no secret and no header, however a careless call passes them', () => {
    const line = logged({
      integrationId: 'int_1',
      secrets: { webhookSecret: 'whsec_SECRET1' },
      request: { headers: { 'stripe-signature': 't=1,v1=SECRET2', 'x-shopify-access-token': 'shpat_SECRET3' } },
      headers: { authorization: 'Bearer SECRET4' },
      destination: { settings: { url: 'https://example.com' }, botToken: 'xoxb-SECRET5', response: { headers: { 'set-cookie': 'SECRET6' } } },
    });
    expect(line).not.toMatch(/SECRET/);
    expect(JSON.parse(line)).toMatchObject({ integrationId: 'int_1', secrets: '[redacted]', request: { headers: '[redacted]' }, destination: { settings: { url: 'https://example.com' } } });
  });
});
