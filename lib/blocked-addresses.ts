import { BlockList, isIP } from 'node:net';

function blockList(family: 'ipv4' | 'ipv6', subnets: ReadonlyArray<readonly [string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, family);
  return list;
}

/** IPv4 addresses an outbound request must never reach: private, loopback, link-local (cloud metadata), CGNAT, reserved. */
const blockedIpv4 = blockList('ipv4', [
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
]);
/**
 * IPv6 ranges that are not public whatever they carry. A list of its own: a BlockList would also match
 * IPv4-mapped addresses against IPv4 rules, and every embedding is judged below, by its IPv4 address.
 */
const blockedIpv6 = blockList('ipv6', [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:2::', 48],
  ['2001:10::', 28],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
]);

const REFUSED = 'a private, loopback or link-local address';

/**
 * Why `address` (an IP literal) must not be reached — `a private, loopback or link-local address`, or
 * `the 6to4 form of 127.0.0.1, a private…` — or undefined for a public address. Anything that is not an
 * IP address is refused.
 */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return blockedIpv4.check(address, 'ipv4') ? REFUSED : undefined;
  const groups = family === 6 ? ipv6Groups(address) : undefined;
  if (!groups) return 'not an IP address';
  if (blockedIpv6.check(groups.map((group) => group.toString(16)).join(':'), 'ipv6')) return REFUSED;
  for (const { form, ipv4 } of embeddedIpv4(groups)) {
    if (blockedIpv4.check(ipv4, 'ipv4')) return `the ${form} form of ${ipv4}, ${REFUSED}`;
  }
  return undefined;
}

export function isBlockedAddress(address: string): boolean {
  return addressRefusal(address) !== undefined;
}

/**
 * The eight 16-bit groups of an IPv6 address, read from the WHATWG URL parser's canonical form (the
 * parser `http.request` is given the URL by), which spells a dotted IPv4 tail in hex and keeps one `::`
 * at most. Undefined for what it refuses (a zone id such as `fe80::1%eth0`).
 */
function ipv6Groups(address: string): number[] | undefined {
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head, tail] = canonical.split('::').map((part) => (part ? part.split(':').map((hex) => parseInt(hex, 16)) : []));
  return tail === undefined ? head : [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

const dotted = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
const allZero = (groups: number[]) => groups.every((group) => group === 0);

/**
 * The IPv4 addresses an IPv6 address carries and leads to (through the host's stack, a translator or a
 * relay), by the embedding's name: a public IPv6 form of a private IPv4 address is that private address.
 */
function embeddedIpv4(g: number[]): Array<{ form: string; ipv4: string }> {
  const last = dotted(g[6], g[7]);
  // ::a.b.c.d (RFC 4291 §2.5.5.1).
  if (allZero(g.slice(0, 6))) return [{ form: 'IPv4-compatible', ipv4: last }];
  // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
  if (allZero(g.slice(0, 5)) && g[5] === 0xffff) return [{ form: 'IPv4-mapped', ipv4: last }];
  // ::ffff:0:a.b.c.d, SIIT's IPv4-translated addresses (RFC 7915 / RFC 2765).
  if (allZero(g.slice(0, 4)) && g[4] === 0xffff && g[5] === 0) return [{ form: 'SIIT (IPv4-translated)', ipv4: last }];
  // 64:ff9b::a.b.c.d, the NAT64 well-known prefix (RFC 6052).
  if (g[0] === 0x64 && g[1] === 0xff9b && allZero(g.slice(2, 6))) return [{ form: 'NAT64', ipv4: last }];
  // 2002:aabb:ccdd::/48, 6to4 (RFC 3056): the site's IPv4 address in groups 1–2.
  if (g[0] === 0x2002) return [{ form: '6to4', ipv4: dotted(g[1], g[2]) }];
  // 2001:0::/32, Teredo (RFC 4380): the server's IPv4 in groups 2–3, the client's inverted in groups 6–7.
  if (g[0] === 0x2001 && g[1] === 0) {
    return [
      { form: 'Teredo server', ipv4: dotted(g[2], g[3]) },
      { form: 'Teredo client', ipv4: dotted(~g[6] & 0xffff, ~g[7] & 0xffff) },
    ];
  }
  return [];
}
