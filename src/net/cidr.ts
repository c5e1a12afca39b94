// IPv4 / IPv6 CIDR primitives on cidr-tools: strict parsing (cidr-tools' own input validation is
// rudimentary, so the syntax is checked here first), canonical form, containment, overlap, and an
// index that reports every overlapping pair among N ranges in O(N log N + K).

import { isIPv6 } from 'node:net';
import { normalizeCidr, parseCidr as parseWithLibrary } from 'cidr-tools';

export type IpVersion = 4 | 6;

export interface Cidr {
  /** The text as written. */
  text: string;
  version: IpVersion;
  prefix: number;
  /** The address as written (host bits included), as an integer. */
  address: bigint;
  /** First and last address of the network, as integers. */
  start: bigint;
  end: bigint;
  /** Canonical form: network address (host bits cleared), lower-case, compressed IPv6. */
  canonical: string;
  /** True when the address part has bits set below the prefix (e.g. `172.17.5.0/16`). */
  hostBits: boolean;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const DECIMAL = /^(0|[1-9]\d*)$/;

/** Parses `address/prefix` strictly: a prefix is required, IPv4 octets are decimal without leading zeros, no IPv6 zone index. */
export function parseCidr(text: string): CidrParse {
  if (typeof text !== 'string') return { ok: false, reason: 'not a string' };
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'no /prefix length' };
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!DECIMAL.test(prefixText)) return { ok: false, reason: `prefix length ${JSON.stringify(prefixText)} is not a decimal number` };
  const prefix = Number(prefixText);
  let version: IpVersion;
  const v4 = IPV4.exec(address);
  if (v4) {
    for (const octet of v4.slice(1)) {
      if (!DECIMAL.test(octet!)) return { ok: false, reason: `IPv4 octet ${octet} has a leading zero` };
      if (Number(octet) > 255) return { ok: false, reason: `IPv4 octet ${octet} is above 255` };
    }
    if (prefix > 32) return { ok: false, reason: `prefix length /${prefix} is above 32 for IPv4` };
    version = 4;
  } else if (address.includes(':')) {
    if (address.includes('%')) return { ok: false, reason: 'an IPv6 zone index (%…) has no place in a CIDR' };
    if (!isIPv6(address)) return { ok: false, reason: `${JSON.stringify(address)} is not an IPv6 address` };
    if (prefix > 128) return { ok: false, reason: `prefix length /${prefix} is above 128 for IPv6` };
    version = 6;
  } else {
    return { ok: false, reason: `${JSON.stringify(address)} is not an IPv4 or IPv6 address` };
  }
  const net = parseWithLibrary(text);
  const host = parseWithLibrary(`${address}/${version === 4 ? 32 : 128}`);
  const canonical = normalizeCidr(text, { compress: true });
  return {
    ok: true,
    cidr: { text, version, prefix, address: host.start, start: net.start, end: net.end, canonical, hostBits: host.start !== net.start },
  };
}

/**
 * The shortest prefix at which the written address is a network address (no host bits): for
 * `172.17.5.0/16` that is 24, i.e. the block `172.17.5.0/24` the writer may have meant.
 */
export function exactPrefix(c: Cidr): number {
  const width = c.version === 4 ? 32 : 128;
  let p = width;
  while (p > c.prefix && ((c.address >> BigInt(width - p)) & 1n) === 0n) p--;
  return p;
}

/** The parsed CIDR or undefined. */
export function tryCidr(text: string): Cidr | undefined {
  const r = parseCidr(text);
  return r.ok ? r.cidr : undefined;
}

/** Canonical form of a valid CIDR (network address, compressed), or undefined when it does not parse. */
export function canonicalCidr(text: string): string | undefined {
  return tryCidr(text)?.canonical;
}

export interface AddressRange {
  version: IpVersion;
  start: bigint;
  end: bigint;
}

/** Whether `outer` contains every address of `inner` (same family). */
export function contains(outer: AddressRange, inner: AddressRange): boolean {
  return outer.version === inner.version && outer.start <= inner.start && inner.end <= outer.end;
}

/** Whether the two ranges share at least one address (same family). */
export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.version === b.version && a.start <= b.end && b.start <= a.end;
}

/**
 * The common part of two CIDRs as a CIDR: CIDR blocks either nest or are disjoint, so it is the more
 * specific of the two. Undefined when they do not overlap.
 */
export function intersection(a: Cidr, b: Cidr): Cidr | undefined {
  if (!overlaps(a, b)) return undefined;
  return a.prefix >= b.prefix ? a : b;
}

/**
 * Calls `onPair(i, j)` (i < j in input order) for every pair of overlapping ranges. Ranges of different
 * families never overlap. Sort by start, then sweep: the active list holds ranges whose end has not been
 * passed; on each new range, expired ones are dropped and every survivor overlaps it (its start is ≤ the
 * new start and its end ≥ it), so each survivor visited is one reported pair. Work: O(N log N + K).
 */
export function forEachOverlap(ranges: readonly AddressRange[], onPair: (i: number, j: number) => void): void {
  for (const version of [4, 6] as const) {
    const order: number[] = [];
    for (let i = 0; i < ranges.length; i++) if (ranges[i]!.version === version) order.push(i);
    order.sort((x, y) => {
      const a = ranges[x]!;
      const b = ranges[y]!;
      return a.start < b.start ? -1 : a.start > b.start ? 1 : x - y;
    });
    let active: number[] = [];
    let next: number[] = [];
    for (const j of order) {
      const start = ranges[j]!.start;
      for (const i of active) {
        if (ranges[i]!.end < start) continue;
        next.push(i);
        if (i < j) onPair(i, j);
        else onPair(j, i);
      }
      next.push(j);
      [active, next] = [next, active];
      next.length = 0;
    }
  }
}

/** Every overlapping pair `[i, j]` (i < j) among `ranges`. */
export function overlapPairs(ranges: readonly AddressRange[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  forEachOverlap(ranges, (i, j) => pairs.push([i, j]));
  return pairs;
}
