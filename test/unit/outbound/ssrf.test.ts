import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addressRefusal } from '../../../lib/blocked-addresses';
import { checkDestinationUrl, DestinationRefusedError, guardedLookupVia, isBlockedAddress, type ResolveAll } from '../../../lib/ssrf';

const REFUSED = 'a private, loopback or link-local address';

const hex = (ipv4: string) => {
  const [a, b, c, d] = ipv4.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d].map((group) => group.toString(16));
};
const inverted = (ipv4: string) => hex(ipv4).map((group) => (~parseInt(group, 16) & 0xffff).toString(16));
/** A public Teredo server (Microsoft's former one) and a public client, for the half not under test. */
const TEREDO_SERVER = '65.54.227.120';
const TEREDO_CLIENT = '8.8.4.4';

/** Every way an IPv6 address carries an IPv4 address, and where it leads. */
const embeddings: Array<[string, (ipv4: string) => string]> = [
  ['IPv4-compatible', (ipv4) => `::${ipv4}`],
  ['IPv4-mapped', (ipv4) => `::ffff:${ipv4}`],
  ['SIIT (IPv4-translated)', (ipv4) => `::ffff:0:${ipv4}`],
  ['NAT64', (ipv4) => `64:ff9b::${ipv4}`],
  ['6to4', (ipv4) => `2002:${hex(ipv4).join(':')}::`],
  ['6to4', (ipv4) => `2002:${hex(ipv4).join(':')}:1:0:0:0:5`],
  ['Teredo server', (ipv4) => `2001:0:${hex(ipv4).join(':')}:8000:63bf:${inverted(TEREDO_CLIENT).join(':')}`],
  ['Teredo client', (ipv4) => `2001:0:${hex(TEREDO_SERVER).join(':')}:8000:63bf:${inverted(ipv4).join(':')}`],
];
const notPublic: Array<[string, string]> = [
  ['loopback', '127.0.0.1'],
  ['loopback', '127.1.2.3'],
  ['private', '10.1.2.3'],
  ['private', '172.16.0.1'],
  ['private', '192.168.1.20'],
  ['link-local (cloud metadata)', '169.254.169.254'],
  ['CGNAT', '100.64.0.1'],
  ['unspecified', '0.0.0.0'],
  ['multicast', '224.0.0.1'],
  ['broadcast', '255.255.255.255'],
];
const embeddedNotPublic = embeddings
  .flatMap(([form, embed]) => notPublic.map(([kind, ipv4]) => [form, kind, ipv4, embed(ipv4)] as const))
  // `::0.0.0.0` is `::`, refused as the unspecified IPv6 address itself (below).
  .filter(([, , , address]) => address !== '::0.0.0.0');

describe('SSRF guard: addresses', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fec0::1', 'ff02::1',
    '2001:db8::1', '64:ff9b:1::a00:1', 'fe80::1%eth0', 'not-an-ip', '',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(embeddedNotPublic)('refuses the %s form of a %s address: %s (%s)', (form, _kind, ipv4, address) => {
    expect(addressRefusal(address)).toBe(`the ${form} form of ${ipv4}, ${REFUSED}`);
  });

  it.each([
    '93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '::8.8.8.8', '::ffff:0:8.8.8.8',
    '64:ff9b::8.8.8.8', '2002:0808:0808::', '2002:808:808:1::5', `2001:0:${hex(TEREDO_SERVER).join(':')}:8000:63bf:${inverted(TEREDO_CLIENT).join(':')}`,
  ])('allows %s', (address) => {
    expect(addressRefusal(address)).toBeUndefined();
  });
});

describe('SSRF guard: URLs and DNS', () => {
  /** A DNS that answers each name with the addresses given. */
  const dns = (answers: Record<string, string[]>): ResolveAll => async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('wants https, no credentials, no private literal and a public resolution', async () => {
    await expect(checkDestinationUrl('http://93.184.215.14/x', false)).rejects.toThrow('must be an https:// URL');
    await expect(checkDestinationUrl('ftp://93.184.215.14/x', true)).rejects.toThrow('must be an https:// URL');
    await expect(checkDestinationUrl('https://user:pass@93.184.215.14/x', false)).rejects.toThrow('credentials');
    await expect(checkDestinationUrl('not a url', false)).rejects.toThrow('not a valid URL');
    await expect(checkDestinationUrl('https://10.0.0.1/x', false)).rejects.toThrow('private');
    await expect(checkDestinationUrl('https://localhost/x', false)).rejects.toThrow(/localhost resolves to/);
    await expect(checkDestinationUrl('https://93.184.215.14/x', false)).resolves.toBeUndefined();
  });

  it.each(embeddedNotPublic)('refuses a URL with the %s form of a %s address as its host: %s (%s)', async (_form, _kind, ipv4, address) => {
    await expect(checkDestinationUrl(`https://[${address}]/hook`, false)).rejects.toThrow(`form of ${ipv4}, ${REFUSED}`);
  });

  it('refuses the forms of 127.0.0.1 that the guard once let through, and other spellings of it', async () => {
    for (const url of ['https://[::127.0.0.1]/', 'https://[::ffff:0:127.0.0.1]/', 'https://[2002:7f00:1::]/', 'https://2130706433/', 'https://0x7f.1/']) {
      await expect(checkDestinationUrl(url, false)).rejects.toThrow(/127\.0\.0\.1/);
    }
  });

  it.each(['https://[2002:0808:0808::]/hook', 'https://[64:ff9b::8.8.8.8]/hook', 'https://[::ffff:8.8.8.8]/hook'])('accepts %s', async (url) => {
    await expect(checkDestinationUrl(url, false)).resolves.toBeUndefined();
  });

  it('refuses a name when any of its addresses is, or embeds, a private one', async () => {
    const resolve = dns({
      'mixed.example': ['93.184.215.14', '2002:a00:1::'],
      'nat64.example': ['64:ff9b::a9fe:a9fe'],
      'public.example': ['93.184.215.14', '2002:808:808::', '64:ff9b::808:808'],
    });
    await expect(checkDestinationUrl('https://mixed.example/x', false, resolve)).rejects.toThrow(
      `mixed.example resolves to 2002:a00:1::, the 6to4 form of 10.0.0.1, ${REFUSED}`,
    );
    await expect(checkDestinationUrl('https://nat64.example/x', false, resolve)).rejects.toThrow('the NAT64 form of 169.254.169.254');
    await expect(checkDestinationUrl('https://nowhere.example/x', false, resolve)).rejects.toThrow('nowhere.example does not resolve');
    await expect(checkDestinationUrl('https://public.example/x', false, resolve)).resolves.toBeUndefined();
  });

  it('lets development use http and loopback when allowed', async () => {
    await expect(checkDestinationUrl('http://127.0.0.1:3000/x', true)).resolves.toBeUndefined();
    await expect(checkDestinationUrl('https://localhost/x', true)).resolves.toBeUndefined();
    await expect(checkDestinationUrl('https://[::ffff:0:127.0.0.1]/x', true)).resolves.toBeUndefined();
  });
});

describe('SSRF guard at connect time', () => {
  let server: Server;
  let port: number;
  let received = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      received += 1;
      res.end('ok');
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  /** One GET, answering the status or the connection error. */
  const get = (url: string, lookup?: ReturnType<typeof guardedLookupVia>) =>
    new Promise<number | Error>((resolve) => {
      const req = request(url, { lookup }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: Error & { cause?: unknown }) => resolve(error.cause instanceof Error ? error.cause : error));
      req.end();
    });

  it('refuses a name that resolves to a private address in any form, before connecting', async () => {
    expect(await get(`http://127.0.0.1:${port}/`)).toBe(200);
    const before = received;
    const answers = ['127.0.0.1', '::1', '::7f00:1', '::ffff:7f00:1', '::ffff:0:7f00:1', '2002:7f00:1::', '64:ff9b::7f00:1', '2001:0:7f00:1::'];
    for (const address of answers) {
      const refused = await get(`http://rebound.example:${port}/`, guardedLookupVia(async () => [{ address, family: address.includes(':') ? 6 : 4 }]));
      expect(refused).toBeInstanceOf(DestinationRefusedError);
      expect((refused as Error).message).toMatch(new RegExp(`^rebound\\.example resolves to ${address.replace(/\./g, '\\.')}, .*${REFUSED}$`));
    }
    expect(received).toBe(before);
  });
});
