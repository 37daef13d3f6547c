import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses an outbound request must never reach: private, loopback, link-local (cloud metadata), CGNAT, reserved. */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are checked against the IPv4 ranges. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class DestinationRefusedError extends Error {}

/** Protocol and literal-address checks, no DNS: https only and no private IP literal, unless allowed. */
export function checkUrlShape(url: string, allowPrivate: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DestinationRefusedError('not a valid URL');
  }
  if (parsed.protocol !== 'https:' && !(allowPrivate && parsed.protocol === 'http:')) {
    throw new DestinationRefusedError('must be an https:// URL');
  }
  if (parsed.username || parsed.password) throw new DestinationRefusedError('must not contain credentials');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isBlockedAddress(host)) {
    throw new DestinationRefusedError(`${host} is a private, loopback or link-local address`);
  }
  return parsed;
}

/** Install/PATCH-time check: the URL's host must resolve, and only to public addresses. */
export async function checkDestinationUrl(url: string, allowPrivate: boolean): Promise<void> {
  const parsed = checkUrlShape(url, allowPrivate);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (allowPrivate || isIP(host)) return;
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise((resolve, reject) =>
      lookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
    );
  } catch {
    throw new DestinationRefusedError(`${host} does not resolve`);
  }
  const refused = refusal(host, addresses);
  if (refused) throw refused;
}

function refusal(host: string, addresses: LookupAddress[]): DestinationRefusedError | undefined {
  const blockedAddress = addresses.find((entry) => isBlockedAddress(entry.address));
  return blockedAddress && new DestinationRefusedError(`${host} resolves to ${blockedAddress.address}, a private, loopback or link-local address`);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` for `http.request({ lookup })`: the connection goes to exactly the address checked here,
 * so a name that re-resolves to a private address between check and connect (DNS rebinding) is refused.
 */
export function guardedLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = refusal(hostname, addresses);
    if (refused) return callback(refused, []);
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    if (!first) return callback(new DestinationRefusedError(`${hostname} does not resolve`), []);
    callback(null, first.address, first.family);
  });
}
