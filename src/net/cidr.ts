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
  // Topology ranges are parsed again by every rule and every request that looks at them.
  const hit = parsed.get(text);
  if (hit) return hit;
  const r = Object.freeze(parseCidrText(text));
  if (r.ok) Object.freeze(r.cidr);
  if (parsed.size >= PARSE_CACHE_SIZE) parsed.clear();
  parsed.set(text, r);
  return r;
}

const PARSE_CACHE_SIZE = 16_384;
const parsed = new Map<string, CidrParse>();

function parseCidrText(text: string): CidrParse {
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
  // One library parse of the address itself; the network follows from the prefix.
  const width = version === 4 ? 32 : 128;
  const value = parseWithLibrary(`${address}/${width}`).start;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const start = value & ~hostMask;
  const end = start | hostMask;
  const canonical = version === 4 ? `${formatIPv4(Number(start))}/${prefix}` : normalizeCidr(`${address}/${prefix}`, { compress: true });
  return { ok: true, cidr: { text, version, prefix, address: value, start, end, canonical, hostBits: value !== start } };
}

function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
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
 *
 * BigInt comparisons are slow, so the sort runs on numbers: an IPv4 start (< 2^32) packed with its index
 * into one exactly representable double (native Float64Array sort), an IPv6 start split into three
 * limbs of ≤ 43 bits.
 */
export function forEachOverlap(ranges: readonly AddressRange[], onPair: (i: number, j: number) => void): void {
  const v4: number[] = [];
  const v6: number[] = [];
  for (let i = 0; i < ranges.length; i++) (ranges[i]!.version === 4 ? v4 : v6).push(i);
  sweep(sortV4(ranges, v4), ranges, onPair, true);
  sweep(sortV6(ranges, v6), ranges, onPair, false);
}

const INDEX_BITS = 2 ** 21;

function sortV4(ranges: readonly AddressRange[], idx: number[]): ArrayLike<number> {
  if (idx.length >= INDEX_BITS) return sortByBigInt(ranges, idx);
  const keys = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) keys[k] = Number(ranges[idx[k]!]!.start) * INDEX_BITS + idx[k]!;
  keys.sort();
  const out = new Uint32Array(idx.length);
  for (let k = 0; k < keys.length; k++) out[k] = keys[k]! % INDEX_BITS;
  return out;
}

const LIMB = 43n;
const LIMB_MASK = (1n << LIMB) - 1n;

function sortV6(ranges: readonly AddressRange[], idx: number[]): ArrayLike<number> {
  const n = idx.length;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const s = ranges[idx[k]!]!.start;
    a[k] = Number(s >> (2n * LIMB));
    b[k] = Number((s >> LIMB) & LIMB_MASK);
    c[k] = Number(s & LIMB_MASK);
  }
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((x, y) => a[x]! - a[y]! || b[x]! - b[y]! || c[x]! - c[y]! || idx[x]! - idx[y]!);
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) out[k] = idx[order[k]!]!;
  return out;
}

function sortByBigInt(ranges: readonly AddressRange[], idx: number[]): number[] {
  return [...idx].sort((x, y) => {
    const p = ranges[x]!.start;
    const q = ranges[y]!.start;
    return p < q ? -1 : p > q ? 1 : x - y;
  });
}

function sweep(order: ArrayLike<number>, ranges: readonly AddressRange[], onPair: (i: number, j: number) => void, small: boolean): void {
  // IPv4 ends fit a double exactly; compare them as numbers.
  const ends = small ? new Float64Array(ranges.length) : undefined;
  if (ends) for (let k = 0; k < order.length; k++) ends[order[k]!] = Number(ranges[order[k]!]!.end);
  let active: number[] = [];
  let next: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    const start = ranges[j]!.start;
    const startNum = ends ? Number(start) : 0;
    for (let m = 0; m < active.length; m++) {
      const i = active[m]!;
      if (ends ? ends[i]! < startNum : ranges[i]!.end < start) continue;
      next.push(i);
      if (i < j) onPair(i, j);
      else onPair(j, i);
    }
    next.push(j);
    [active, next] = [next, active];
    next.length = 0;
  }
}

/** Every overlapping pair `[i, j]` (i < j) among `ranges`. */
export function overlapPairs(ranges: readonly AddressRange[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  forEachOverlap(ranges, (i, j) => pairs.push([i, j]));
  return pairs;
}
