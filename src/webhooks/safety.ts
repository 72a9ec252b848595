// Which webhook URLs may be called: https only, never internal addresses (SSRF), connection pinned to the checked IP.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

export interface UrlSafetyOptions {
  /** Allow http:// as well as https:// (WEBHOOK_ALLOW_HTTP). */
  allowHttp: boolean;
  /** Allow loopback, private, link-local… addresses (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Resolves a host name to all its addresses; dns.lookup by default (tests inject one). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export type UnsafeReason = 'invalid_url' | 'scheme' | 'credentials' | 'dns' | 'blocked_address';

export class UnsafeWebhookUrlError extends Error {
  constructor(
    readonly reason: UnsafeReason,
    message: string,
  ) {
    super(message);
    this.name = 'UnsafeWebhookUrlError';
  }
}

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Checks what can be checked without DNS (for request validation): a URL, the scheme, no user:password. */
export function checkWebhookUrlSyntax(raw: string, opts: Pick<UrlSafetyOptions, 'allowHttp' | 'allowPrivate'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeWebhookUrlError('invalid_url', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(opts.allowHttp && url.protocol === 'http:')) {
    throw new UnsafeWebhookUrlError('scheme', opts.allowHttp ? 'webhook URLs must be http or https' : 'webhook URLs must use https');
  }
  if (url.username || url.password) throw new UnsafeWebhookUrlError('credentials', 'webhook URLs must not carry a user name or password');
  const literal = hostOf(url);
  if (isIP(literal)) assertAllowed(literal, opts.allowPrivate);
  return url;
}

/**
 * Resolves the host and checks every address it has (an attacker's name may list a public and a
 * private one). The returned address is the one to connect to: pin it with `pinnedLookup`, so a
 * second DNS answer (rebinding) cannot move the connection elsewhere.
 */
export async function resolveWebhookTarget(raw: string, opts: UrlSafetyOptions): Promise<ResolvedTarget> {
  const url = checkWebhookUrlSyntax(raw, opts);
  const host = hostOf(url);
  const literal = isIP(host);
  let addresses: LookupAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await (opts.resolve ?? lookupAll)(host);
    } catch (err) {
      throw new UnsafeWebhookUrlError('dns', `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (addresses.length === 0) throw new UnsafeWebhookUrlError('dns', `${host} has no addresses`);
  }
  for (const a of addresses) assertAllowed(a.address, opts.allowPrivate, literal ? undefined : host);
  const first = addresses[0];
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for http(s).request that always answers the checked address. */
export function pinnedLookup(address: string, family: 4 | 6) {
  return (_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void): void => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function lookupAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function assertAllowed(address: string, allowPrivate: boolean, name?: string): void {
  if (allowPrivate) return;
  const range = blockedRange(address);
  if (range) {
    const what = name ? `${name} resolves to ${address}` : address;
    throw new UnsafeWebhookUrlError('blocked_address', `${what}, a ${range} address; webhooks only go to public addresses (operators: WEBHOOK_ALLOW_PRIVATE)`);
  }
}

// [prefix bytes, prefix length in bits, name]
type Range = [number[], number, string];
const V4: Range[] = [
  [[0], 8, 'unspecified ("this network")'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'carrier-grade NAT'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'IETF protocol assignment'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'benchmarking'],
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'],
];
const V6: Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0xfc], 7, 'private (unique local)'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff], 8, 'multicast'],
];

/** The name of the non-public range `address` is in, or null for a public address. */
export function blockedRange(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return match(v4Bytes(address), V4);
  if (family !== 6) return 'unparseable';
  const b = v6Bytes(address);
  if (!b) return 'unparseable';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address: judge that.
  const zero10 = b.slice(0, 10).every((x) => x === 0);
  const mapped = zero10 && b[10] === 0xff && b[11] === 0xff;
  const compatible = zero10 && b[10] === 0 && b[11] === 0 && !(b.slice(12, 15).every((x) => x === 0) && b[15] <= 1);
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0);
  if (mapped || compatible || nat64) {
    const inner = match(b.slice(12), V4);
    return inner ? `${inner} (IPv4 inside IPv6)` : null;
  }
  return match(b, V6);
}

function match(bytes: number[], ranges: Range[]): string | null {
  for (const [prefix, bits, name] of ranges) {
    let ok = true;
    for (let i = 0; i * 8 < bits && ok; i++) {
      const take = Math.min(8, bits - i * 8);
      const mask = (0xff << (8 - take)) & 0xff;
      ok = ((bytes[i] ?? 0) & mask) === ((prefix[i] ?? 0) & mask);
    }
    if (ok) return name;
  }
  return null;
}

function v4Bytes(a: string): number[] {
  return a.split('.').map(Number);
}

function v6Bytes(a: string): number[] | null {
  let s = a.split('%')[0];
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = v4Bytes(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = s.split('::');
  const hs = head ? head.split(':') : [];
  const rs = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - hs.length - rs.length;
  if (fill < 0) return null;
  const groups = [...hs, ...Array<string>(fill).fill('0'), ...rs].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const out = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) out.splice(12, 4, ...tail);
  return out;
}
