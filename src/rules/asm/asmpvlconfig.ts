// ASMPvlConfig: PrivateLink between an ASM instance and ACK clusters in other VPCs (seeds 000/002).
//
// Two PrivateLink connections are built from it: ASM control plane → cluster (endpoint service in the
// ASM VPC, endpoint in the ACK VPC) and ASM → cluster API server (endpoint service in the ACK VPC,
// endpoint in the ASM VPC). An endpoint and its service need a common availability zone, hence the
// cross-matching zoneIds: under ackVpcEndpoint a zone where the ASM side has a vSwitch, under
// asmVpcEndpoint a zone where the ACK side has one. Nothing here reads or writes `status` (ASM's).

import { ptr } from '../../engine/pointer.ts';
import { defineDefaulter, defineKind, defineValidator } from '../../engine/rule.ts';
import { isZoneId } from '../../net/zone.ts';
import {
  ackEntries,
  ackRefs,
  allRefs,
  asmRefs,
  chooseMesh,
  clusterFacts,
  declaredZones,
  entryInOtherRegion,
  knownZones,
  meshHasCluster,
  orList,
  realZones,
  referenceRegion,
  refName,
  refPtr,
  regionOf,
  unique,
  vpcZoneSwitches,
  type VSwitchRef,
} from './pvl-model.ts';
import { ASM_GROUP, asmPvlConfigSchema, type AsmPvlConfig } from './schema.ts';

const SOURCE = '000, 002';
const VSWITCH_ID = /^vsw-[a-z0-9]+$/;
/** Characters no real ID has, but masked (`****`) or template (`<your-ack-cluster-id>`, `${ID}`) values do. */
const PLACEHOLDER = /[*<>{}$\s]/;

const RULE_EXPLAINED = 'under ackVpcEndpoint, zoneId is a zone where the ASM VPC has a vSwitch; under asmVpcEndpoint, a zone where the ACK VPC has one';

function zonesText(zones: readonly string[]): string {
  return zones.length === 1 ? `zone ${zones[0]}` : `zones ${zones.join(', ')}`;
}

function clusterLabel(obj: AsmPvlConfig, entry: number): string {
  const id = ackEntries(obj)[entry]?.clusterId;
  return id ? `ackVpcEndpoint[${entry}] (cluster ${id})` : `ackVpcEndpoint[${entry}]`;
}

// ---------------------------------------------------------------- shape

export const nameMustBeDefault = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/name-must-be-default',
  severity: 'error',
  summary: 'metadata.name is `default`; ASM ignores an ASMPvlConfig of any other name',
  source: SOURCE,
  check(obj, _ctx, report) {
    const name = obj.metadata.name;
    if (name !== 'default') {
      report(ptr('metadata', 'name'), `name is ${JSON.stringify(name ?? '')}, but ASM only reads the ASMPvlConfig named "default"`, 'set metadata.name: default');
    }
  },
});

export const ackEndpointRequired = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/ack-endpoint-required',
  severity: 'error',
  summary: 'spec.ackVpcEndpoint lists at least one ACK cluster',
  source: SOURCE,
  check(obj, _ctx, report) {
    if (ackEntries(obj).length === 0) {
      report(ptr('spec', 'ackVpcEndpoint'), 'spec.ackVpcEndpoint is missing or empty: no ACK cluster to connect through PrivateLink', 'add an entry {clusterId: <ACK cluster ID>, vSwitches: [{vSwitchId: vsw-…, zoneId: <zone>}]}');
    }
  },
});

export const clusterIdRequired = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/cluster-id-required',
  severity: 'error',
  summary: 'every spec.ackVpcEndpoint entry has a non-empty clusterId',
  source: SOURCE,
  check(obj, _ctx, report) {
    ackEntries(obj).forEach((e, i) => {
      if (!e.clusterId) report(ptr('spec', 'ackVpcEndpoint', i, 'clusterId'), `ackVpcEndpoint[${i}] has no clusterId`, 'set clusterId to the ID of an ACK cluster added to the ASM instance');
    });
  },
});

export const clusterIdPlaceholder = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/cluster-id-placeholder',
  severity: 'error',
  summary: 'a clusterId is a real cluster ID, not a masked (`****`) or template (`<your-ack-cluster-id>`) value copied from the docs',
  source: SOURCE,
  check(obj, _ctx, report) {
    ackEntries(obj).forEach((e, i) => {
      if (e.clusterId && PLACEHOLDER.test(e.clusterId)) {
        report(ptr('spec', 'ackVpcEndpoint', i, 'clusterId'), `clusterId ${JSON.stringify(e.clusterId)} is masked or a placeholder; no cluster has that ID`, 'copy the full cluster ID from the ACK console (Clusters → cluster → Basic Information)');
      }
    });
  },
});

export const clusterIdUnique = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/cluster-id-unique',
  severity: 'error',
  summary: 'no two spec.ackVpcEndpoint entries have the same clusterId',
  source: SOURCE,
  check(obj, _ctx, report) {
    const seen = new Map<string, number>();
    ackEntries(obj).forEach((e, i) => {
      if (!e.clusterId) return;
      const first = seen.get(e.clusterId);
      if (first === undefined) seen.set(e.clusterId, i);
      else report(ptr('spec', 'ackVpcEndpoint', i, 'clusterId'), `cluster ${e.clusterId} is already configured in ackVpcEndpoint[${first}]`, `merge the vSwitches of ackVpcEndpoint[${i}] into ackVpcEndpoint[${first}] and remove this entry`);
    });
  },
});

export const ackVSwitchesRequired = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/ack-vswitches-required',
  severity: 'error',
  summary: 'every spec.ackVpcEndpoint entry lists at least one vSwitch of the cluster VPC',
  source: SOURCE,
  check(obj, _ctx, report) {
    ackEntries(obj).forEach((e, i) => {
      if (!e.vSwitches || e.vSwitches.length === 0) {
        report(ptr('spec', 'ackVpcEndpoint', i, 'vSwitches'), `${clusterLabel(obj, i)} lists no vSwitch, so no PrivateLink endpoint can be placed in the cluster VPC`, 'add a vSwitch of the cluster VPC: {vSwitchId: vsw-…, zoneId: <a zone where the ASM VPC also has a vSwitch>}');
      }
    });
  },
});

export const asmVSwitchesRequired = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/asm-vswitches-required',
  severity: 'error',
  summary: 'spec.asmVpcEndpoint.vSwitches lists at least one vSwitch of the ASM VPC',
  source: SOURCE,
  check(obj, _ctx, report) {
    if (asmRefs(obj).length === 0) {
      report(ptr('spec', 'asmVpcEndpoint', 'vSwitches'), 'spec.asmVpcEndpoint.vSwitches is missing or empty, so no PrivateLink endpoint can be placed in the ASM VPC', 'add a vSwitch of the ASM instance VPC: {vSwitchId: vsw-…, zoneId: <a zone where the ACK VPC also has a vSwitch>}');
    }
  },
});

export const vSwitchIdFormat = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/vswitch-id-format',
  severity: 'error',
  summary: 'every vSwitchId is an Alibaba Cloud vSwitch ID (`vsw-` followed by lower-case letters and digits)',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const r of allRefs(obj)) {
      if (r.vSwitchId === undefined || r.vSwitchId === '') {
        report(refPtr(r, 'vSwitchId'), `${refName(r)} has no vSwitchId`, 'set vSwitchId to a vSwitch ID such as vsw-bp1jsgsanpvxpj32yai50');
      } else if (!VSWITCH_ID.test(r.vSwitchId)) {
        report(refPtr(r, 'vSwitchId'), `vSwitchId ${JSON.stringify(r.vSwitchId)} is not a vSwitch ID (vsw-…)`, 'copy the vSwitch ID (vsw-…) from the VPC console, not its name');
      }
    }
  },
});

export const zoneIdRequired = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/zone-id-required',
  severity: 'error',
  summary: 'every vSwitch entry has a zoneId (filled in from a MeshTopology when one is available)',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const r of allRefs(obj)) {
      if (r.zoneId === undefined || r.zoneId === '') {
        const other = r.side === 'ack' ? 'ASM' : 'ACK';
        report(refPtr(r, 'zoneId'), `${refName(r)} has no zoneId; ASM needs it to place the PrivateLink endpoint`, `set zoneId to the zone of ${r.vSwitchId ?? 'the vSwitch'}, which must also be a zone where the ${other} VPC has a vSwitch`);
      }
    }
  },
});

export const zoneIdFormat = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/zone-id-format',
  severity: 'error',
  summary: 'every zoneId has the `<region>-<zone>` form, e.g. cn-hangzhou-j or ap-southeast-1a',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const r of allRefs(obj)) {
      if (r.zoneId && !isZoneId(r.zoneId)) {
        report(refPtr(r, 'zoneId'), `zoneId ${JSON.stringify(r.zoneId)} is not a zone ID of the form <region>-<zone>`, 'write the zone ID as the VPC console shows it, e.g. cn-hangzhou-j (not a region such as cn-hangzhou, nor a zone name)');
      }
    }
  },
});

export const vSwitchListedOnce = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/vswitch-listed-twice',
  severity: 'error',
  summary: 'no vSwitch is listed twice, within one side or across the two sides (the two sides are different VPCs)',
  source: SOURCE,
  check(obj, _ctx, report) {
    const seen = new Map<string, VSwitchRef>();
    for (const r of allRefs(obj)) {
      if (!r.vSwitchId) continue;
      const first = seen.get(r.vSwitchId);
      if (!first) {
        seen.set(r.vSwitchId, r);
        continue;
      }
      const fix = first.side === r.side ? `remove ${refName(r)}` : `a vSwitch is in one VPC only: keep it on the side of its VPC and remove the other entry (${refName(r)} or ${refName(first)})`;
      report(refPtr(r, 'vSwitchId'), `vSwitch ${r.vSwitchId} is already listed at ${refName(first)}`, fix);
    }
  },
});

// ---------------------------------------------------------------- zones (declared values only)

export const singleRegion = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/single-region',
  severity: 'error',
  summary: 'all zones lie in one region: PrivateLink connects VPCs of the same region',
  source: SOURCE,
  check(obj, ctx, report) {
    const reference = referenceRegion(obj, ctx);
    if (!reference) return;
    for (const r of allRefs(obj)) {
      if (!r.zoneId || !isZoneId(r.zoneId)) continue;
      const region = regionOf(ctx, r.zoneId);
      if (region === undefined || region === reference.region) continue;
      report(
        refPtr(r, 'zoneId'),
        `zone ${r.zoneId} is in region ${region}, but ${refName(reference.ref)} is in ${reference.region}; PrivateLink only connects VPCs of one region`,
        `use a zone of ${reference.region}; to reach a cluster in ${region}, connect the VPCs with CEN instead of PrivateLink`,
      );
    }
  },
});

export const zonesCrossMatch = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/zones-cross-match',
  severity: 'error',
  summary: 'the zones named under ackVpcEndpoint and under asmVpcEndpoint intersect: PrivateLink needs a zone both VPCs have a vSwitch in',
  source: SOURCE,
  check(obj, ctx, report) {
    const asmZ = declaredZones(asmRefs(obj));
    if (asmZ.length === 0) return;
    ackEntries(obj).forEach((_e, i) => {
      const refs = ackRefs(obj, i);
      const ackZ = declaredZones(refs);
      if (ackZ.length === 0 || ackZ.some((z) => asmZ.includes(z)) || entryInOtherRegion(obj, ctx, i)) return;
      const at = refs.find((r) => r.zoneId);
      const candidates = unique([...ackZ, ...asmZ]);
      const example = candidates[0]!;
      report(
        at ? refPtr(at, 'zoneId') : ptr('spec', 'ackVpcEndpoint', i),
        `${clusterLabel(obj, i)} names ${zonesText(ackZ)} and asmVpcEndpoint names ${zonesText(asmZ)}: no zone in common, but PrivateLink needs the endpoint and its service in one shared zone (${RULE_EXPLAINED})`,
        `pick one zone where both VPCs have a vSwitch (${orList(candidates)}) and name it on both sides, e.g. zoneId: ${example} under ackVpcEndpoint[${i}] and under asmVpcEndpoint, each entry with a vSwitch of its own VPC in ${example}`,
      );
    });
  },
});

export const zoneUnmatched = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/zone-unmatched',
  severity: 'warning',
  summary: 'a zone named on one side only (while the sides share another) cannot carry a PrivateLink connection',
  source: SOURCE,
  check(obj, _ctx, report) {
    const asm = asmRefs(obj);
    const asmZ = declaredZones(asm);
    const entries = ackEntries(obj).map((_e, i) => ackRefs(obj, i));
    // Only where the sides do share a zone: otherwise asm-pvl/zones-cross-match reports the whole mismatch.
    const matching = entries.filter((refs) => declaredZones(refs).some((z) => asmZ.includes(z)));
    for (const refs of matching) {
      for (const r of refs) {
        if (r.zoneId && isZoneId(r.zoneId) && !asmZ.includes(r.zoneId)) report(refPtr(r, 'zoneId'), `zone ${r.zoneId} is not named under asmVpcEndpoint; PrivateLink cannot use it`, `use a zone named on both sides (${orList(asmZ.filter((z) => declaredZones(refs).includes(z)))})`);
      }
    }
    if (matching.length === 0) return;
    const ackZ = unique(matching.flatMap((refs) => declaredZones(refs)));
    for (const r of asm) {
      if (r.zoneId && isZoneId(r.zoneId) && !ackZ.includes(r.zoneId)) report(refPtr(r, 'zoneId'), `zone ${r.zoneId} is not named under ackVpcEndpoint; PrivateLink cannot use it`, `use a zone named on both sides (${orList(ackZ.filter((z) => asmZ.includes(z)))})`);
    }
  },
});

// ---------------------------------------------------------------- with a MeshTopology

export const vSwitchExists = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/vswitch-exists',
  severity: 'error',
  summary: 'every vSwitch is in the MeshTopology',
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    for (const r of allRefs(obj)) {
      if (!r.vSwitchId || !VSWITCH_ID.test(r.vSwitchId) || topo.vSwitch(r.vSwitchId)) continue;
      report(refPtr(r, 'vSwitchId'), `vSwitch ${r.vSwitchId} is not in the MeshTopology`, 'correct the vSwitch ID, or add the vSwitch (with its zone and CIDR) to its VPC in the MeshTopology');
    }
  },
});

export const vSwitchOnItsSide = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/vswitch-side',
  severity: 'error',
  summary: "ACK-side vSwitches belong to that cluster's VPC and ASM-side vSwitches to the mesh's VPC",
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const { mesh } = chooseMesh(obj, ctx, topo);
    const clusterVpcs = new Map<string, string>(); // VPC → cluster ID
    for (const e of ackEntries(obj)) {
      const vpc = clusterFacts(topo, e.clusterId)?.vpc;
      if (vpc && e.clusterId && !clusterVpcs.has(vpc)) clusterVpcs.set(vpc, e.clusterId);
    }
    for (const r of allRefs(obj)) {
      const vs = r.vSwitchId ? topo.vSwitch(r.vSwitchId) : undefined;
      if (!vs) continue;
      if (r.side === 'ack') {
        const clusterId = ackEntries(obj)[r.entry!]?.clusterId;
        const want = clusterFacts(topo, clusterId)?.vpc;
        if (!want || vs.vpc === want) continue;
        if (mesh?.vpc === vs.vpc) {
          report(refPtr(r, 'vSwitchId'), `vSwitch ${vs.id} is in the ASM VPC ${vs.vpc}, not in cluster ${clusterId}'s VPC ${want}: it is on the wrong side`, `move it to spec.asmVpcEndpoint.vSwitches, and list a vSwitch of ${want} here`);
        } else {
          report(refPtr(r, 'vSwitchId'), `vSwitch ${vs.id} is in VPC ${vs.vpc}, not in cluster ${clusterId}'s VPC ${want}`, `list a vSwitch of ${want} (${topo.vpc(want)?.vSwitches.join(', ') || 'none known'})`);
        }
      } else {
        const want = mesh?.vpc;
        if (!want || vs.vpc === want) continue;
        const owner = clusterVpcs.get(vs.vpc);
        if (owner !== undefined) {
          report(refPtr(r, 'vSwitchId'), `vSwitch ${vs.id} is in cluster ${owner}'s VPC ${vs.vpc}, not in the ASM VPC ${want} (mesh ${mesh!.name}): it is on the wrong side`, `move it under the ackVpcEndpoint entry of cluster ${owner}, and list a vSwitch of ${want} here`);
        } else {
          report(refPtr(r, 'vSwitchId'), `vSwitch ${vs.id} is in VPC ${vs.vpc}, not in the ASM VPC ${want} of mesh ${mesh!.name}`, `list a vSwitch of ${want} (${topo.vpc(want)?.vSwitches.join(', ') || 'none known'})`);
        }
      }
    }
  },
});

export const zoneIdHasPeer = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/zone-id-has-peer',
  severity: 'error',
  summary: 'each declared zoneId is a zone where the other side really has one of its listed vSwitches (per the MeshTopology)',
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const asm = asmRefs(obj);
    // The other side's zones: real ones, or declared ones of vSwitches the topology lacks; a side with no
    // known vSwitch at all says nothing real, and the declared-zone rules already cover it.
    const asmReal = realZones(topo, asm).length > 0 ? knownZones(topo, asm) : [];
    const entries = ackEntries(obj)
      .map((_e, i) => ackRefs(obj, i))
      .filter((refs) => realZones(topo, refs).length > 0);
    // Entries whose real zones share nothing with the ASM side are asm-pvl/real-zones-intersect's finding.
    const linked = entries.filter((refs) => knownZones(topo, refs).some((z) => asmReal.includes(z)));
    if (asmReal.length > 0) {
      for (const refs of linked) {
        const common = knownZones(topo, refs).filter((z) => asmReal.includes(z));
        for (const r of refs) {
          if (r.zoneId && isZoneId(r.zoneId) && !asmReal.includes(r.zoneId)) {
            report(refPtr(r, 'zoneId'), `zoneId ${r.zoneId}: the ASM side's vSwitches are in ${asmReal.join(', ')} only (${RULE_EXPLAINED})`, `set zoneId: ${orList(common)}`);
          }
        }
      }
    }
    const ackReal = unique(linked.flatMap((refs) => knownZones(topo, refs)));
    if (ackReal.length === 0) return;
    const common = ackReal.filter((z) => asmReal.includes(z));
    for (const r of asm) {
      if (r.zoneId && isZoneId(r.zoneId) && !ackReal.includes(r.zoneId)) {
        report(refPtr(r, 'zoneId'), `zoneId ${r.zoneId}: the ACK side's vSwitches are in ${ackReal.join(', ')} only (${RULE_EXPLAINED})`, `set zoneId: ${orList(common)}`);
      }
    }
  },
});

export const zoneIdIsVSwitchZone = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/zone-id-is-vswitch-zone',
  severity: 'warning',
  summary: "a zoneId differs from its vSwitch's own zone in the MeshTopology: PrivateLink places the endpoint with that vSwitch, in that vSwitch's zone",
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    for (const r of allRefs(obj)) {
      const vs = r.vSwitchId ? topo.vSwitch(r.vSwitchId) : undefined;
      if (!vs || !vs.zone || !r.zoneId || !isZoneId(r.zoneId) || r.zoneId === vs.zone) continue;
      report(refPtr(r, 'zoneId'), `zoneId ${r.zoneId} but vSwitch ${vs.id} is in ${vs.zone}`, `set zoneId: ${vs.zone}, or list a vSwitch that is in ${r.zoneId}`);
    }
  },
});

export const realZonesIntersect = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/real-zones-intersect',
  severity: 'error',
  summary: "the zones the two sides' listed vSwitches are really in (per the MeshTopology) intersect",
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const asm = asmRefs(obj);
    if (realZones(topo, asm).length === 0) return; // nothing real known about the ASM side
    const asmReal = knownZones(topo, asm);
    const { mesh } = chooseMesh(obj, ctx, topo);
    ackEntries(obj).forEach((e, i) => {
      const refs = ackRefs(obj, i);
      const ackReal = realZones(topo, refs).length > 0 ? knownZones(topo, refs) : [];
      // A cluster whose declared zones are in another region is asm-pvl/single-region's finding.
      if (ackReal.length === 0 || ackReal.some((z) => asmReal.includes(z)) || entryInOtherRegion(obj, ctx, i)) return;
      // Name what would work: zones where both VPCs have a vSwitch, with the vSwitch IDs there.
      const ackVpc = clusterFacts(topo, e.clusterId)?.vpc ?? (refs[0]?.vSwitchId ? topo.vSwitch(refs[0].vSwitchId)?.vpc : undefined);
      const asmVpc = mesh?.vpc ?? (asm[0]?.vSwitchId ? topo.vSwitch(asm[0].vSwitchId)?.vpc : undefined);
      const ackByZone = vpcZoneSwitches(topo, ackVpc);
      const asmByZone = vpcZoneSwitches(topo, asmVpc);
      const shared = [...ackByZone.keys()].filter((z) => asmByZone.has(z)).sort();
      const fix = shared.length > 0
        ? `use a zone both VPCs have vSwitches in: ${shared.map((z) => `${z} (ACK ${ackByZone.get(z)!.join('/')}, ASM ${asmByZone.get(z)!.join('/')})`).join('; ')}`
        : `no zone has vSwitches in both ${ackVpc ?? 'the ACK VPC'} and ${asmVpc ?? 'the ASM VPC'}: create a vSwitch in ${orList(unique([...ackReal, ...asmReal]))} on the other side, then list both with that zoneId`;
      report(
        ptr('spec', 'ackVpcEndpoint', i, 'vSwitches'),
        `${clusterLabel(obj, i)}: its vSwitches are in ${ackReal.join(', ')} and the ASM side's in ${asmReal.join(', ')}; PrivateLink needs a zone where both sides have a vSwitch`,
        fix,
      );
    });
  },
});

export const clusterInMesh = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/cluster-in-mesh',
  severity: 'error',
  summary: 'every clusterId is a member cluster of the mesh (ASM instance) in the MeshTopology: the cluster is added to the instance first',
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const choice = chooseMesh(obj, ctx, topo);
    ackEntries(obj).forEach((e, i) => {
      if (!e.clusterId || PLACEHOLDER.test(e.clusterId)) return;
      const at = ptr('spec', 'ackVpcEndpoint', i, 'clusterId');
      if (!topo.cluster(e.clusterId)) {
        report(at, `cluster ${e.clusterId} is not in the MeshTopology`, 'correct the cluster ID, or add the cluster (with its VPC) to the MeshTopology and to its mesh');
        return;
      }
      if (!choice.mesh) {
        const names = choice.candidates.map((m) => m.name);
        report(at, `cannot tell which mesh this ASMPvlConfig belongs to (${choice.how}${names.length ? `: ${names.join(', ')}` : ''}), so cluster ${e.clusterId} is a member of none known`, `add ${e.clusterId} to the clusters of the ASM instance's mesh in the MeshTopology (and give that mesh its vpc)`);
        return;
      }
      if (!meshHasCluster(topo, choice.mesh, e.clusterId)) {
        report(at, `cluster ${e.clusterId} is not a member of mesh ${choice.mesh.name} (chosen because ${choice.how})`, `add the cluster to the ASM instance first (seed 000/002 step 1), and to meshes[${choice.mesh.name}].clusters in the MeshTopology`);
      }
    });
  },
});

export const clusterInMeshVpc = defineValidator<AsmPvlConfig>({
  id: 'asm-pvl/cluster-in-mesh-vpc',
  severity: 'warning',
  summary: "a cluster in the mesh's own VPC needs no PrivateLink (PrivateLink is for clusters in other VPCs)",
  source: SOURCE,
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const { mesh } = chooseMesh(obj, ctx, topo);
    if (!mesh?.vpc) return;
    ackEntries(obj).forEach((e, i) => {
      const c = clusterFacts(topo, e.clusterId);
      if (c?.vpc && c.vpc === mesh.vpc) {
        report(ptr('spec', 'ackVpcEndpoint', i, 'clusterId'), `cluster ${e.clusterId} is in the mesh's own VPC ${mesh.vpc}; PrivateLink is for other VPCs`, `remove ackVpcEndpoint[${i}]: the cluster reaches the ASM instance inside ${mesh.vpc}`);
      }
    });
  },
});

// ---------------------------------------------------------------- defaulting (with a MeshTopology)

export const defaultZoneId = defineDefaulter<AsmPvlConfig>({
  id: 'asm-pvl/default-zone-id',
  severity: 'warning',
  summary: "a missing zoneId is filled with the vSwitch's zone when the other side has a listed vSwitch in that zone too",
  source: SOURCE,
  needs: ['topology'],
  apply(obj, ctx, set) {
    const topo = ctx.topology!;
    const asm = asmRefs(obj);
    const asmReal = realZones(topo, asm);
    const ackRealByEntry = ackEntries(obj).map((_e, i) => realZones(topo, ackRefs(obj, i)));
    const ackReal = unique(ackRealByEntry.flat());
    for (const r of allRefs(obj)) {
      if (r.zoneId !== undefined || !r.vSwitchId) continue;
      const zone = topo.vSwitch(r.vSwitchId)?.zone;
      if (!zone) continue;
      const peers = r.side === 'ack' ? asmReal : ackReal;
      if (!peers.includes(zone)) continue; // no common zone: leave it for the zone rules to explain
      const other = r.side === 'ack' ? 'ASM' : 'ACK';
      set(refPtr(r, 'zoneId'), zone, `its vSwitch's zone, shared with the ${other} side`);
    }
  },
});

export const asmPvlConfigKind = defineKind<AsmPvlConfig>({
  group: ASM_GROUP,
  kind: 'ASMPvlConfig',
  versions: ['v1beta1'],
  plural: 'asmpvlconfigs',
  scope: 'Namespaced',
  admission: true,
  schema: asmPvlConfigSchema,
  defaulters: [defaultZoneId],
  validators: [
    nameMustBeDefault,
    ackEndpointRequired,
    clusterIdRequired,
    clusterIdPlaceholder,
    clusterIdUnique,
    ackVSwitchesRequired,
    asmVSwitchesRequired,
    vSwitchIdFormat,
    zoneIdRequired,
    zoneIdFormat,
    vSwitchListedOnce,
    singleRegion,
    zonesCrossMatch,
    zoneUnmatched,
    vSwitchExists,
    vSwitchOnItsSide,
    zoneIdHasPeer,
    zoneIdIsVSwitchZone,
    realZonesIntersect,
    clusterInMesh,
    clusterInMeshVpc,
  ],
});
