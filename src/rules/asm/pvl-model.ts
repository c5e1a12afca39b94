// A flat view of an ASMPvlConfig's vSwitch references and the topology facts the PrivateLink rules
// need (which mesh, which VPC each side is in, which zones each side really has vSwitches in).

import type { ClusterFacts, MeshFacts, RuleContext, TopologyView } from '../../engine/context.ts';
import { ptr } from '../../engine/pointer.ts';
import { isZoneId, regionOfZone as regionByConvention } from '../../net/zone.ts';
import type { AsmPvlConfig } from './schema.ts';

export type Side = 'ack' | 'asm';

export interface VSwitchRef {
  side: Side;
  /** Index into spec.ackVpcEndpoint (ACK side only). */
  entry?: number;
  /** Index inside that vSwitches list. */
  index: number;
  vSwitchId?: string;
  zoneId?: string;
  /** Pointer tokens of the list element, e.g. ['spec','ackVpcEndpoint',0,'vSwitches',1]. */
  at: Array<string | number>;
}

export function ackEntries(obj: AsmPvlConfig) {
  return obj.spec.ackVpcEndpoint ?? [];
}

export function ackRefs(obj: AsmPvlConfig, entry: number): VSwitchRef[] {
  const e = ackEntries(obj)[entry];
  return (e?.vSwitches ?? []).map((v, index) => ref('ack', v, index, ['spec', 'ackVpcEndpoint', entry, 'vSwitches', index], entry));
}

export function asmRefs(obj: AsmPvlConfig): VSwitchRef[] {
  return (obj.spec.asmVpcEndpoint?.vSwitches ?? []).map((v, index) => ref('asm', v, index, ['spec', 'asmVpcEndpoint', 'vSwitches', index]));
}

export function allRefs(obj: AsmPvlConfig): VSwitchRef[] {
  return [...ackEntries(obj).flatMap((_e, i) => ackRefs(obj, i)), ...asmRefs(obj)];
}

function ref(side: Side, v: { vSwitchId?: string | undefined; zoneId?: string | undefined }, index: number, at: Array<string | number>, entry?: number): VSwitchRef {
  const r: VSwitchRef = { side, index, at };
  if (entry !== undefined) r.entry = entry;
  if (v.vSwitchId !== undefined) r.vSwitchId = v.vSwitchId;
  if (v.zoneId !== undefined) r.zoneId = v.zoneId;
  return r;
}

export function refPtr(r: VSwitchRef, field?: 'vSwitchId' | 'zoneId'): string {
  return field ? ptr(...r.at, field) : ptr(...r.at);
}

/** `spec.ackVpcEndpoint[0].vSwitches[1]` */
export function refName(r: VSwitchRef): string {
  return r.side === 'ack' ? `spec.ackVpcEndpoint[${r.entry}].vSwitches[${r.index}]` : `spec.asmVpcEndpoint.vSwitches[${r.index}]`;
}

/** Declared zoneIds of some refs, in first-seen order, without repeats; malformed ones are left to asm-pvl/zone-id-format. */
export function declaredZones(refs: readonly VSwitchRef[]): string[] {
  return unique(refs.map((r) => r.zoneId ?? '').filter((z) => isZoneId(z)));
}

export function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export function orList(xs: readonly string[]): string {
  if (xs.length <= 1) return xs[0] ?? '';
  return `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

/** The region of a zone: a MeshTopology statement wins, else the cloud naming convention. */
export function regionOf(ctx: RuleContext, zone: string): string | undefined {
  return ctx.topology?.regionOfZone(zone) ?? regionByConvention(zone);
}

/**
 * The region every zone must share: the first well-formed zone of the ASM side (the instance's region;
 * clusters come to it), else the first one of the ACK side.
 */
export function referenceRegion(obj: AsmPvlConfig, ctx: RuleContext): { region: string; ref: VSwitchRef } | undefined {
  for (const r of [...asmRefs(obj), ...ackEntries(obj).flatMap((_e, i) => ackRefs(obj, i))]) {
    const region = r.zoneId && isZoneId(r.zoneId) ? regionOf(ctx, r.zoneId) : undefined;
    if (region !== undefined) return { region, ref: r };
  }
  return undefined;
}

/**
 * Whether a cluster entry's declared zones all lie outside the reference region. Such an entry cannot
 * share a zone with the ASM side at all; asm-pvl/single-region says why, and the zone-matching rules
 * stay quiet rather than suggest zones of the wrong region.
 */
export function entryInOtherRegion(obj: AsmPvlConfig, ctx: RuleContext, entry: number): boolean {
  const reference = referenceRegion(obj, ctx);
  const zones = declaredZones(ackRefs(obj, entry));
  return reference !== undefined && zones.length > 0 && zones.every((z) => regionOf(ctx, z) !== reference.region);
}

// ---------------------------------------------------------------- topology facts

/** Real zones (per the topology) of the vSwitches some refs name; unknown vSwitches are left out. */
export function realZones(topo: TopologyView, refs: readonly VSwitchRef[]): string[] {
  return unique(refs.map((r) => (r.vSwitchId ? topo.vSwitch(r.vSwitchId)?.zone : undefined) ?? '').filter((z) => z !== ''));
}

/**
 * Zones of the listed vSwitches as far as they are known: the real zone of a vSwitch the topology knows,
 * the declared zone of one it does not (asm-pvl/vswitch-exists reports that), so one missing fact does
 * not cascade into zone findings.
 */
export function knownZones(topo: TopologyView, refs: readonly VSwitchRef[]): string[] {
  return unique(
    refs
      .map((r) => {
        const vs = r.vSwitchId ? topo.vSwitch(r.vSwitchId) : undefined;
        if (vs) return vs.zone;
        return r.zoneId && isZoneId(r.zoneId) ? r.zoneId : '';
      })
      .filter((z) => z !== ''),
  );
}

/** Zones where a VPC has a vSwitch, each with the vSwitch IDs there. */
export function vpcZoneSwitches(topo: TopologyView, vpcId: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const vpc = vpcId ? topo.vpc(vpcId) : undefined;
  for (const id of vpc?.vSwitches ?? []) {
    const zone = topo.vSwitch(id)?.zone;
    if (!zone) continue;
    out.set(zone, [...(out.get(zone) ?? []), id]);
  }
  return out;
}

/** Whether a mesh lists a cluster, by the cluster's ID or its name (MeshTopology allows either). */
export function meshHasCluster(topo: TopologyView, mesh: MeshFacts, clusterId: string): boolean {
  const { listed, resolved } = membersOf(topo, mesh);
  if (listed.has(clusterId)) return true;
  const target = topo.cluster(clusterId);
  return target !== undefined && (listed.has(target.id) || (target.name !== undefined && listed.has(target.name)) || resolved.has(target.id));
}

/** A mesh's cluster entries as written and as resolved to cluster IDs, once per view (a CLI run asks per object). */
const memberCache = new WeakMap<TopologyView, WeakMap<MeshFacts, { listed: ReadonlySet<string>; resolved: ReadonlySet<string> }>>();
function membersOf(topo: TopologyView, mesh: MeshFacts) {
  let perView = memberCache.get(topo);
  if (!perView) memberCache.set(topo, (perView = new WeakMap()));
  let members = perView.get(mesh);
  if (!members) {
    const resolved = new Set<string>();
    for (const m of mesh.clusters) {
      const id = topo.cluster(m)?.id;
      if (id !== undefined) resolved.add(id);
    }
    perView.set(mesh, (members = { listed: new Set(mesh.clusters), resolved }));
  }
  return members;
}

export interface MeshChoice {
  mesh?: MeshFacts;
  /** How the mesh was chosen, for messages: `it lists cluster c1`, `its namespace is istio-system` … */
  how: string;
  /** Meshes that fitted equally well when the choice is ambiguous. */
  candidates: MeshFacts[];
}

/**
 * The mesh (ASM instance) an ASMPvlConfig belongs to. The object does not name it: it is applied to the
 * ASM instance's own API server. In order of evidence:
 *  1. meshes whose `clusters` list one of the spec's clusterIds (adding the cluster to the instance comes
 *     first in seeds 000/002). If several, the namespace and then the ASM-side VPC narrow it down.
 *  2. otherwise the mesh whose control-plane namespace is the object's namespace,
 *  3. otherwise the mesh whose VPC holds the ASM-side vSwitches,
 *  4. otherwise the only mesh that states a VPC.
 * Choosing by membership first means the membership rule only fires for clusters another listed cluster's
 * mesh lacks, or when no mesh lists any of them; choosing by the ASM-side VPC only as a fallback keeps the
 * "ASM-side vSwitch in the mesh's VPC" rule meaningful.
 */
export function chooseMesh(obj: AsmPvlConfig, ctx: RuleContext, topo: TopologyView): MeshChoice {
  const meshes = topo.meshes();
  const namespace = obj.metadata.namespace || ctx.namespace;
  const asmVpcs = unique(asmRefs(obj).map((r) => (r.vSwitchId ? topo.vSwitch(r.vSwitchId)?.vpc : undefined) ?? '').filter((v) => v !== ''));
  const byNamespace = (ms: readonly MeshFacts[]) => ms.filter((m) => namespace !== '' && m.namespace === namespace);
  const byVpc = (ms: readonly MeshFacts[]) => ms.filter((m) => m.vpc !== undefined && asmVpcs.includes(m.vpc));

  const clusterIds = unique(ackEntries(obj).map((e) => e.clusterId ?? '').filter((c) => c !== ''));
  const members = meshes.filter((m) => clusterIds.some((c) => meshHasCluster(topo, m, c)));
  if (members.length === 1) return { mesh: members[0]!, how: `it lists cluster ${clusterIds.find((c) => meshHasCluster(topo, members[0]!, c))}`, candidates: [] };
  if (members.length > 1) {
    for (const [narrow, how] of [
      [byNamespace, `it lists the cluster and its namespace is ${namespace}`],
      [byVpc, 'it lists the cluster and its VPC holds the ASM-side vSwitches'],
    ] as const) {
      const n = narrow(members);
      if (n.length === 1) return { mesh: n[0]!, how, candidates: [] };
    }
    return { how: 'several meshes list these clusters', candidates: members };
  }
  const ns = byNamespace(meshes);
  if (ns.length === 1) return { mesh: ns[0]!, how: `its namespace is ${namespace}`, candidates: [] };
  const vpc = byVpc(meshes);
  if (vpc.length === 1) return { mesh: vpc[0]!, how: 'its VPC holds the ASM-side vSwitches', candidates: [] };
  const withVpc = meshes.filter((m) => m.vpc !== undefined);
  if (withVpc.length === 1) return { mesh: withVpc[0]!, how: 'it is the only mesh with a VPC', candidates: [] };
  return { how: 'no mesh fits', candidates: [...(vpc.length > 1 ? vpc : ns.length > 1 ? ns : withVpc)] };
}

export function clusterFacts(topo: TopologyView, clusterId: string | undefined): ClusterFacts | undefined {
  return clusterId ? topo.cluster(clusterId) : undefined;
}
