// The network plan of one MeshTopology, plus the other MeshTopology objects the topology view was built
// from (so a new object is checked against the stored ones at admission). Pure helpers for the rules.

import type { RuleContext } from '../../engine/context.ts';
import { dotted, join, ptr } from '../../engine/pointer.ts';
import { contains, overlaps, tryCidr, type Cidr, type IpVersion } from '../../net/cidr.ts';
import { regionOfZone as regionByConvention } from '../../net/zone.ts';
import {
  meshTopologySchema,
  sourceName,
  TOPOLOGY_GROUP,
  TOPOLOGY_KIND,
  type ClusterSpec,
  type MeshSpec,
  type MeshTopology,
  type VpcSpec,
} from './schema.ts';

export interface PlanObject {
  name: string;
  obj: MeshTopology;
}

/** Where something is stated: `MeshTopology/b spec.vpcs[0].cidrs[1]` (the object is left out for the own object). */
export interface Where {
  object: string;
  path: string;
}

export function describeWhere(w: Where, own: string): string {
  return w.object === own ? dotted(w.path) : `${sourceName(w.object)} ${dotted(w.path)}`;
}

// The view's source objects are frozen and live as long as the view: parse each once, not per request.
const parsedSources = new WeakMap<object, PlanObject | null>();
const rangesCache = new WeakMap<PlanObject, RangeEntry[]>();

/** The other MeshTopology objects known to the topology view (never the one being checked). */
export function otherObjects(ctx: RuleContext, own: string): PlanObject[] {
  const out: PlanObject[] = [];
  for (const raw of ctx.topology?.sources?.() ?? []) {
    const name = raw.metadata?.name ?? '';
    if (name === own) continue;
    let p = Object.isFrozen(raw) ? parsedSources.get(raw) : undefined;
    if (p === undefined) {
      const r = meshTopologySchema.safeParse(raw);
      p = r.success ? { name, obj: r.data } : null;
      if (Object.isFrozen(raw)) parsedSources.set(raw, p);
    }
    if (p) out.push(p);
  }
  return out;
}

/**
 * Whether a finding that involves another object should be reported on this one. At admission (no
 * inventory) always; when both objects are in the inventory (CLI, audit), only on the later-named one,
 * so a pair is reported once.
 */
export function reportsPairWith(ctx: RuleContext, own: string, other: string): boolean {
  if (other === own || !ctx.inventory) return true;
  const inInventory = ctx.inventory.list(TOPOLOGY_GROUP, TOPOLOGY_KIND).some((o) => o.metadata?.name === other);
  return !inInventory || own > other;
}

// ---------------------------------------------------------------- address ranges

export type RangeRole = 'vpc' | 'vswitch' | 'pod' | 'service';

export interface RangeEntry extends Where {
  cidr: Cidr;
  role: RangeRole;
  /** VPC ID, vSwitch ID or cluster ID. */
  owner: string;
  /** Display name: `VPC vpc-a`, `vSwitch vsw-1`, `cluster ack-hangzhou`. */
  label: string;
  /** VPC a vSwitch belongs to, or the cluster's VPC for pod and service ranges. */
  vpc?: string;
  /** A pod range of a Terway cluster: pods take vSwitch addresses. */
  terway?: boolean;
}

export function clusterLabel(c: ClusterSpec): string {
  return c.name !== undefined && c.name !== c.id ? `cluster ${c.name} (${c.id})` : `cluster ${c.id}`;
}

/** Every parseable range of one object, with its role and location. Unparseable ones are topology/cidr-invalid's. */
export function rangesOf(p: PlanObject): RangeEntry[] {
  const cached = rangesCache.get(p);
  if (cached) return cached;
  const out = collectRanges(p);
  rangesCache.set(p, out);
  return out;
}

function collectRanges(p: PlanObject): RangeEntry[] {
  const out: RangeEntry[] = [];
  const add = (text: string | undefined, path: string, e: Omit<RangeEntry, 'cidr' | 'object' | 'path'>) => {
    const cidr = text === undefined ? undefined : tryCidr(text);
    if (cidr) out.push({ ...e, cidr, object: p.name, path });
  };
  p.obj.spec.vpcs?.forEach((vpc, i) => {
    vpc.cidrs?.forEach((c, k) => add(c, ptr('spec', 'vpcs', i, 'cidrs', k), { role: 'vpc', owner: vpc.id, label: `VPC ${vpc.id}` }));
    vpc.vSwitches?.forEach((vsw, k) => {
      const base = { role: 'vswitch' as const, owner: vsw.id, label: `vSwitch ${vsw.id}`, vpc: vpc.id };
      add(vsw.cidr, ptr('spec', 'vpcs', i, 'vSwitches', k, 'cidr'), base);
      add(vsw.ipv6Cidr, ptr('spec', 'vpcs', i, 'vSwitches', k, 'ipv6Cidr'), base);
    });
  });
  p.obj.spec.clusters?.forEach((c, i) => {
    const base = { owner: c.id, ...(c.vpc !== undefined ? { vpc: c.vpc } : {}) };
    c.podCIDRs?.forEach((t, k) =>
      add(t, ptr('spec', 'clusters', i, 'podCIDRs', k), { ...base, role: 'pod', label: `${clusterLabel(c)} pod range`, terway: c.networkPlugin === 'terway' }),
    );
    c.serviceCIDRs?.forEach((t, k) => add(t, ptr('spec', 'clusters', i, 'serviceCIDRs', k), { ...base, role: 'service', label: `${clusterLabel(c)} service range` }));
  });
  return out;
}

/**
 * The ranges of every object the topology view was built from, indexed once per view: CIDR blocks are
 * either nested or disjoint, so the blocks overlapping a query are the ones starting inside it (found by
 * binary search on the sorted starts) plus its ancestors (at most one per shorter prefix, found by exact
 * lookup). A query costs O(prefix length + log N + hits), so admission stays fast with a large plan.
 */
export class RangeIndex {
  readonly all: readonly RangeEntry[];
  readonly #sorted: Record<IpVersion, RangeEntry[]>;
  readonly #byBlock = new Map<string, RangeEntry[]>();

  constructor(entries: readonly RangeEntry[]) {
    this.all = entries;
    const cmp = (a: RangeEntry, b: RangeEntry) => (a.cidr.start < b.cidr.start ? -1 : a.cidr.start > b.cidr.start ? 1 : 0);
    this.#sorted = { 4: entries.filter((e) => e.cidr.version === 4).sort(cmp), 6: entries.filter((e) => e.cidr.version === 6).sort(cmp) };
    for (const e of entries) {
      const key = blockKey(e.cidr.version, e.cidr.prefix, e.cidr.start);
      const list = this.#byBlock.get(key);
      if (list) list.push(e);
      else this.#byBlock.set(key, [e]);
    }
  }

  /** Every entry overlapping `q`: its ancestors (shortest prefix first), then the blocks inside it by start. */
  overlapping(q: Cidr): RangeEntry[] {
    const out: RangeEntry[] = [];
    const width = q.version === 4 ? 32 : 128;
    for (let p = 0; p < q.prefix; p++) {
      const start = q.start & ~((1n << BigInt(width - p)) - 1n);
      if (start === q.start) continue; // found below, among the blocks starting inside q
      const hits = this.#byBlock.get(blockKey(q.version, p, start));
      if (hits) out.push(...hits);
    }
    const list = this.#sorted[q.version];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.cidr.start < q.start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < list.length && list[k]!.cidr.start <= q.end; k++) out.push(list[k]!);
    return out;
  }
}

function blockKey(version: IpVersion, prefix: number, start: bigint): string {
  return `${version}/${prefix}/${start}`;
}

const indexCache = new WeakMap<object, RangeIndex>();
/** A name no Kubernetes object can have, so otherObjects() excludes nothing. */
const ALL_SOURCES = '\u0000';

/** The range index over all the view's source objects (built once per view). */
export function sourceRangeIndex(ctx: RuleContext): RangeIndex {
  const sources = ctx.topology?.sources?.();
  if (!sources) return new RangeIndex([]);
  const hit = indexCache.get(sources);
  if (hit) return hit;
  const entries: RangeEntry[] = [];
  // Every source, including one named like the object being checked: callers skip it per query.
  for (const p of otherObjects(ctx, ALL_SOURCES)) entries.push(...rangesOf(p));
  const index = new RangeIndex(entries);
  if (Object.isFrozen(sources)) indexCache.set(sources, index);
  return index;
}

/**
 * Whether two overlapping ranges are a conflict. vSwitches sit inside their VPC (that is containment, checked
 * by topology/vswitch-outside-vpc); everything else that overlaps is a conflict, except a Terway pod range that
 * is exactly a vSwitch of the cluster's own VPC (the pod vSwitch, written in both places).
 */
export function isConflict(a: RangeEntry, b: RangeEntry): boolean {
  const roleA = a.role === 'pod' && a.terway ? 'vswitch' : a.role;
  const roleB = b.role === 'pod' && b.terway ? 'vswitch' : b.role;
  if ((roleA === 'vpc' && roleB === 'vswitch') || (roleA === 'vswitch' && roleB === 'vpc')) return false;
  if (roleA === 'vswitch' && roleB === 'vswitch' && a.role !== b.role && a.vpc !== undefined && a.vpc === b.vpc) {
    if (a.cidr.start === b.cidr.start && a.cidr.end === b.cidr.end) return false;
  }
  return true;
}

// Private address space to suggest free ranges from (RFC 1918, RFC 4193).
const POOLS: Record<IpVersion, string[]> = { 4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], 6: ['fd00::/8'] };

/** The first block of the given size in `pools` (default: private address space) that overlaps none of `taken`, if one is found quickly. */
export function suggestFree(version: IpVersion, prefix: number, taken: readonly Cidr[], pools?: readonly Cidr[]): string | undefined {
  const width = version === 4 ? 32 : 128;
  const size = 1n << BigInt(width - prefix);
  // The taken space as sorted, disjoint intervals; candidates then only move forward: linear overall.
  const sorted = taken.filter((t) => t.version === version).sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
  const used: Array<{ start: bigint; end: bigint }> = [];
  for (const t of sorted) {
    const last = used[used.length - 1];
    if (last && t.start <= last.end + 1n) {
      if (t.end > last.end) last.end = t.end;
    } else used.push({ start: t.start, end: t.end });
  }
  for (const pool of pools ?? POOLS[version].map((t) => tryCidr(t)!)) {
    if (pool.version !== version || pool.prefix > prefix) continue;
    let candidate = pool.start;
    let k = 0;
    while (candidate + size - 1n <= pool.end) {
      while (k < used.length && used[k]!.end < candidate) k++;
      const clash = used[k];
      if (!clash || clash.start > candidate + size - 1n) return formatCidr(version, candidate, prefix);
      // Jump past the clashing interval, aligned to the block size.
      candidate = ((clash.end + 1n + size - 1n) / size) * size;
    }
  }
  return undefined;
}

function formatCidr(version: IpVersion, start: bigint, prefix: number): string {
  if (version === 4) {
    const parts = [24n, 16n, 8n, 0n].map((s) => String((start >> s) & 255n));
    return `${parts.join('.')}/${prefix}`;
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((start >> s) & 0xffffn).toString(16));
  return tryCidr(`${groups.join(':')}/${prefix}`)!.canonical;
}

// ---------------------------------------------------------------- lookups across own + other objects

export interface Found<T> extends Where {
  value: T;
}

export function findVpc(own: PlanObject, others: readonly PlanObject[], id: string): Found<VpcSpec> | undefined {
  for (const p of [own, ...others]) {
    const i = p.obj.spec.vpcs?.findIndex((v) => v.id === id) ?? -1;
    if (i >= 0) return { value: p.obj.spec.vpcs![i]!, object: p.name, path: ptr('spec', 'vpcs', i) };
  }
  return undefined;
}

export function findCluster(own: PlanObject, others: readonly PlanObject[], idOrName: string): Found<ClusterSpec> | undefined {
  for (const p of [own, ...others]) {
    const list = p.obj.spec.clusters ?? [];
    let i = list.findIndex((c) => c.id === idOrName);
    if (i < 0) i = list.findIndex((c) => c.name === idOrName);
    if (i >= 0) return { value: list[i]!, object: p.name, path: ptr('spec', 'clusters', i) };
  }
  return undefined;
}

export function meshesOf(p: PlanObject): Array<Found<MeshSpec>> {
  return (p.obj.spec.meshes ?? []).map((m, i) => ({ value: m, object: p.name, path: ptr('spec', 'meshes', i) }));
}

/** Region of a zone: this object's statement, then another object's, then the naming convention. */
export function zoneRegion(own: PlanObject, others: readonly PlanObject[], zone: string): { region: string; stated?: Where } | undefined {
  for (const p of [own, ...others]) {
    const i = p.obj.spec.zones?.findIndex((z) => z.id === zone) ?? -1;
    if (i >= 0) return { region: p.obj.spec.zones![i]!.region, stated: { object: p.name, path: join(ptr('spec', 'zones', i), 'region') } };
  }
  const region = regionByConvention(zone);
  return region === undefined ? undefined : { region };
}

export { contains, overlaps };
