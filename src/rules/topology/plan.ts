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

/** The other MeshTopology objects known to the topology view (never the one being checked). */
export function otherObjects(ctx: RuleContext, own: string): PlanObject[] {
  const out: PlanObject[] = [];
  for (const raw of ctx.topology?.sources?.() ?? []) {
    const name = raw.metadata?.name ?? '';
    if (name === own) continue;
    const r = meshTopologySchema.safeParse(raw);
    if (r.success) out.push({ name, obj: r.data });
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
  const used = taken.filter((t) => t.version === version).sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
  for (const pool of pools ?? POOLS[version].map((t) => tryCidr(t)!)) {
    if (pool.version !== version || pool.prefix > prefix) continue;
    let candidate = pool.start;
    for (let steps = 0; steps < 10_000 && candidate + size - 1n <= pool.end; steps++) {
      const end = candidate + size - 1n;
      const clash = used.find((u) => u.start <= end && candidate <= u.end);
      if (!clash) return formatCidr(version, candidate, prefix);
      // Jump past the clashing range, aligned to the block size.
      const next = clash.end + 1n;
      candidate = ((next + size - 1n) / size) * size;
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
