import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { addressRefusal } from './blocked-addresses';

export { isBlockedAddress } from './blocked-addresses';

export class DestinationRefusedError extends Error {}

/** Every address a name resolves to; a parameter so that tests can stand in for DNS. */
export type ResolveAll = (hostname: string, options: LookupOneOptions | LookupAllOptions) => Promise<LookupAddress[]>;

const systemResolve: ResolveAll = (hostname, options) =>
  new Promise((resolve, reject) => lookup(hostname, { ...options, all: true }, (error, found) => (error ? reject(error) : resolve(found))));

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
  const host = hostOf(parsed);
  const refused = !allowPrivate && isIP(host) ? addressRefusal(host) : undefined;
  if (refused) throw new DestinationRefusedError(`${host} is ${refused}`);
  return parsed;
}

/** Install/PATCH-time check: the URL's host must resolve, and only to public addresses. */
export async function checkDestinationUrl(url: string, allowPrivate: boolean, resolve: ResolveAll = systemResolve): Promise<void> {
  const host = hostOf(checkUrlShape(url, allowPrivate));
  if (allowPrivate || isIP(host)) return;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host, { all: true });
  } catch {
    throw new DestinationRefusedError(`${host} does not resolve`);
  }
  const refused = refusal(host, addresses);
  if (refused) throw refused;
}

/** The host of a URL as an address or name (an IPv6 literal without its brackets). */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

function refusal(host: string, addresses: LookupAddress[]): DestinationRefusedError | undefined {
  for (const { address } of addresses) {
    const refused = addressRefusal(address);
    if (refused) return new DestinationRefusedError(`${host} resolves to ${address}, ${refused}`);
  }
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` for `http.request({ lookup })` resolving with `resolve`: the connection goes to exactly
 * the addresses checked here, so a name that re-resolves to a private address between check and connect
 * (DNS rebinding) is refused.
 */
export function guardedLookupVia(resolve: ResolveAll) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname, options).then(
      (addresses) => {
        const refused = refusal(hostname, addresses);
        if (refused) return callback(refused, []);
        if (options.all) return callback(null, addresses);
        const [first] = addresses;
        if (!first) return callback(new DestinationRefusedError(`${hostname} does not resolve`), []);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

export const guardedLookup = guardedLookupVia(systemResolve);
