// MeshTopology: the network plan itself (seed 003's tables). Every CIDR parses and is canonical, vSwitches
// sit inside their VPC, no two ranges that must be routable side by side overlap, zones and clusters are in
// their VPC's region, IDs are unique and references resolve. A new object is also checked against the
// MeshTopology objects already in the topology view (at admission), so the merged plan stays consistent.

import type { RuleContext } from '../../engine/context.ts';
import { dotted, join, ptr } from '../../engine/pointer.ts';
import { defineKind, defineValidator, type Report } from '../../engine/rule.ts';
import type { Severity } from '../../engine/types.ts';
import { exactPrefix, forEachOverlap, intersection, parseCidr, tryCidr, type Cidr, type IpVersion } from '../../net/cidr.ts';
import {
  clusterLabel,
  contains,
  describeWhere,
  findCluster,
  findVpc,
  isConflict,
  meshesOf,
  otherObjects,
  rangesOf,
  reportsPairWith,
  suggestFree,
  zoneRegion,
  sourceRangeIndex,
  type PlanObject,
  type RangeEntry,
} from './plan.ts';
import { meshTopologySchema, TOPOLOGY_GROUP, TOPOLOGY_PLURAL, TOPOLOGY_KIND, TOPOLOGY_VERSION, type MeshTopology } from './schema.ts';
import { conflictingDefinition } from './conflicts.ts';

const SOURCE = '003';

function planOf(obj: MeshTopology): PlanObject {
  return { name: obj.metadata.name ?? '', obj };
}

interface CidrField {
  text: string;
  path: string;
  /** `VPC vpc-a`, `vSwitch vsw-1`, `cluster ack-hz pod range` … */
  label: string;
  /** The family this field must hold, when it is family-specific. */
  family?: IpVersion;
  /** The field to use for the other family. */
  otherField?: string;
}

function cidrFields(obj: MeshTopology): CidrField[] {
  const out: CidrField[] = [];
  obj.spec.vpcs?.forEach((vpc, i) => {
    vpc.cidrs?.forEach((text, k) => out.push({ text, path: ptr('spec', 'vpcs', i, 'cidrs', k), label: `VPC ${vpc.id}` }));
    vpc.vSwitches?.forEach((vsw, k) => {
      const base = ptr('spec', 'vpcs', i, 'vSwitches', k);
      if (vsw.cidr !== undefined) out.push({ text: vsw.cidr, path: join(base, 'cidr'), label: `vSwitch ${vsw.id}`, family: 4, otherField: dotted(join(base, 'ipv6Cidr')) });
      if (vsw.ipv6Cidr !== undefined) out.push({ text: vsw.ipv6Cidr, path: join(base, 'ipv6Cidr'), label: `vSwitch ${vsw.id}`, family: 6, otherField: dotted(join(base, 'cidr')) });
    });
  });
  obj.spec.clusters?.forEach((c, i) => {
    c.podCIDRs?.forEach((text, k) => out.push({ text, path: ptr('spec', 'clusters', i, 'podCIDRs', k), label: `${clusterLabel(c)} pod range` }));
    c.serviceCIDRs?.forEach((text, k) => out.push({ text, path: ptr('spec', 'clusters', i, 'serviceCIDRs', k), label: `${clusterLabel(c)} service range` }));
  });
  return out;
}

// ---------------------------------------------------------------- CIDR syntax

export const cidrInvalid = defineValidator<MeshTopology>({
  id: 'topology/cidr-invalid',
  severity: 'error',
  summary: 'every VPC, vSwitch, pod and service CIDR is an IPv4 or IPv6 address/prefix of the family its field holds',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const f of cidrFields(obj)) {
      const r = parseCidr(f.text);
      if (!r.ok) {
        report(f.path, `${f.label} CIDR ${JSON.stringify(f.text)} is not a CIDR: ${r.reason}`, `write an address/prefix block such as ${f.family === 6 ? '2408:4000:1::/64' : '10.0.0.0/16'}`);
      } else if (f.family !== undefined && r.cidr.version !== f.family) {
        report(f.path, `${f.label} ${f.text} is IPv${r.cidr.version} but this field holds the IPv${f.family} block`, `move ${f.text} to ${f.otherField}`);
      }
    }
  },
});

export const cidrHostBits = defineValidator<MeshTopology>({
  id: 'topology/cidr-host-bits',
  severity: 'error',
  summary: 'no CIDR has host bits set (172.17.5.0/16 is written 172.17.0.0/16), so every tool reads the same block',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const f of cidrFields(obj)) {
      const c = tryCidr(f.text);
      if (!c?.hostBits) continue;
      const meant = `${f.text.slice(0, f.text.indexOf('/'))}/${exactPrefix(c)}`;
      report(
        f.path,
        `${f.label} CIDR ${f.text} has host bits set after /${c.prefix}; the block it denotes is ${c.canonical}`,
        `write ${c.canonical} (or ${tryCidr(meant)?.canonical ?? meant} if the smaller block was meant)`,
      );
    }
  },
});

// ---------------------------------------------------------------- containment

function describeRanges(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.join(', ');
}

export const vSwitchOutsideVpc = defineValidator<MeshTopology>({
  id: 'topology/vswitch-outside-vpc',
  severity: 'error',
  summary: "each vSwitch CIDR (and each pod range of a Terway cluster, which is a vSwitch range) lies inside one of its VPC's CIDRs",
  source: SOURCE,
  check(obj, ctx, report) {
    const own = planOf(obj);
    obj.spec.vpcs?.forEach((vpc, i) => {
      if (vpc.cidrs === undefined || vpc.cidrs.length === 0) return;
      const vpcRanges = vpc.cidrs.map(tryCidr).filter((c): c is Cidr => c !== undefined);
      // An unreadable VPC range (topology/cidr-invalid) might be the one that holds the vSwitch: don't guess.
      if (vpcRanges.length < vpc.cidrs.length) return;
      vpc.vSwitches?.forEach((vsw, k) => {
        for (const field of ['cidr', 'ipv6Cidr'] as const) {
          const text = vsw[field];
          const c = text === undefined ? undefined : tryCidr(text);
          if (!c || vpcRanges.some((v) => contains(v, c))) continue;
          const sameFamily = vpcRanges.filter((v) => v.version === c.version).map((v) => v.text);
          report(
            ptr('spec', 'vpcs', i, 'vSwitches', k, field),
            `vSwitch ${vsw.id} ${c.text} is not inside any CIDR of its VPC ${vpc.id} (IPv${c.version}: ${describeRanges(sameFamily)})`,
            sameFamily.length > 0
              ? `choose a vSwitch block inside ${sameFamily.join(' or ')}, or add the VPC CIDR that holds ${c.text} to ${dotted(ptr('spec', 'vpcs', i, 'cidrs'))}`
              : `add the IPv${c.version} CIDR of VPC ${vpc.id} that holds ${c.text} to ${dotted(ptr('spec', 'vpcs', i, 'cidrs'))}`,
          );
        }
      });
    });
    const others = otherObjects(ctx, own.name);
    obj.spec.clusters?.forEach((cluster, i) => {
      if (cluster.networkPlugin !== 'terway' || cluster.vpc === undefined) return;
      const vpc = findVpc(own, others, cluster.vpc);
      if (!vpc?.value.cidrs?.length) return;
      const vpcRanges = vpc.value.cidrs.map(tryCidr).filter((c): c is Cidr => c !== undefined);
      if (vpcRanges.length < vpc.value.cidrs.length) return;
      cluster.podCIDRs?.forEach((text, k) => {
        const c = tryCidr(text);
        if (!c || vpcRanges.some((v) => contains(v, c))) return;
        const sameFamily = vpcRanges.filter((v) => v.version === c.version).map((v) => v.text);
        report(
          ptr('spec', 'clusters', i, 'podCIDRs', k),
          `${clusterLabel(cluster)} uses Terway, so its pod range ${c.text} is a vSwitch range, but it is not inside VPC ${vpc.value.id} (${describeRanges(sameFamily)}, ${describeWhere(vpc, own.name)})`,
          `list the pod vSwitch blocks of ${clusterLabel(cluster)}, which lie inside ${describeRanges(sameFamily)}`,
        );
      });
    });
  },
});

// ---------------------------------------------------------------- overlaps

const MAX_PAIRS_PER_RANGE = 10;

function entityKey(r: RangeEntry): string {
  return `${r.role === 'service' ? 'pod' : r.role}\u0000${r.owner}`;
}

function rangeKey(r: RangeEntry): string {
  return `${r.role}\u0000${r.owner}\u0000${r.cidr.canonical}`;
}

function overlapFix(at: RangeEntry, all: readonly RangeEntry[], own: PlanObject, others: readonly PlanObject[]): string {
  const taken = all.filter((r) => r !== at).map((r) => r.cidr);
  const { version, prefix } = at.cidr;
  if (at.role === 'vswitch' || (at.role === 'pod' && at.terway)) {
    const vpc = at.vpc === undefined ? undefined : findVpc(own, others, at.vpc);
    const pools = (vpc?.value.cidrs ?? []).map(tryCidr).filter((c): c is Cidr => c?.version === version);
    const nonVpc = all.filter((r) => r !== at && r.role !== 'vpc').map((r) => r.cidr);
    let free: string | undefined;
    for (const pool of pools) free ??= suggestFree(version, prefix, nonVpc, [pool]);
    const eg = free ? `, e.g. ${free}` : '';
    return `give ${at.label} a block no other vSwitch, pod or service range uses (VPCs joined by CEN cannot route two vSwitches with the same block)${eg}`;
  }
  const free = suggestFree(version, prefix, taken);
  const eg = free ? `, e.g. ${free}` : '';
  if (at.role === 'vpc') return `choose VPC blocks that no other VPC, pod or service range uses${eg}`;
  return `choose a ${at.role} range that overlaps no VPC, vSwitch, pod or service range${eg}`;
}

export const cidrOverlap = defineValidator<MeshTopology>({
  id: 'topology/cidr-overlap',
  severity: 'error',
  summary:
    'no two vSwitch CIDRs overlap (within or across VPCs), VPC CIDRs of different VPCs do not overlap, and cluster pod/service ranges overlap nothing (Terway pod ranges count as vSwitch ranges); supernets count',
  source: SOURCE,
  check(obj, ctx, report) {
    const own = planOf(obj);
    const mine = rangesOf(own);
    const index = sourceRangeIndex(ctx);
    let everything: RangeEntry[] | undefined;
    const fixes = new Map<RangeEntry, string>();
    const fixFor = (at: RangeEntry) => {
      let fix = fixes.get(at);
      if (fix === undefined) {
        everything ??= [...mine, ...index.all.filter((r) => r.object !== own.name)];
        fix = overlapFix(at, everything, own, otherObjects(ctx, own.name));
        fixes.set(at, fix);
      }
      return fix;
    };
    // One finding per overlapping pair, up to a limit per range (a /8 pod range over a large plan would
    // otherwise produce thousands), then one that counts the rest.
    const perRange = new Map<RangeEntry, number>();
    const found = (at: RangeEntry, other: RangeEntry) => {
      const n = (perRange.get(at) ?? 0) + 1;
      perRange.set(at, n);
      if (n > MAX_PAIRS_PER_RANGE) return;
      const common = intersection(at.cidr, other.cidr)!;
      report(
        at.path,
        `${at.label} ${at.cidr.text} overlaps ${other.label} ${other.cidr.text} (${describeWhere(other, own.name)}) in ${common.canonical}`,
        fixFor(at),
      );
    };
    // Within this object: every overlapping pair, reported on the later entry.
    forEachOverlap(
      mine.map((r) => r.cidr),
      (i, j) => {
        if (isConflict(mine[i]!, mine[j]!)) found(mine[j]!, mine[i]!);
      },
    );
    // Against the other stored objects. The same entity restated elsewhere is the same range, not an
    // overlap, and entities this object defines are governed by its own statement; the stored version of
    // this very object is being replaced.
    const ownIds = new Set(mine.map(entityKey));
    for (const at of mine) {
      const seen = new Set<string>();
      for (const other of index.overlapping(at.cidr)) {
        if (other.object === own.name || ownIds.has(entityKey(other))) continue;
        const key = rangeKey(other);
        if (seen.has(key)) continue;
        seen.add(key);
        if (isConflict(at, other) && reportsPairWith(ctx, own.name, other.object)) found(at, other);
      }
    }
    for (const [at, n] of perRange) {
      if (n <= MAX_PAIRS_PER_RANGE) continue;
      report(at.path, `${at.label} ${at.cidr.text} overlaps ${n - MAX_PAIRS_PER_RANGE} more ranges than the ${MAX_PAIRS_PER_RANGE} listed`, fixFor(at));
    }
  },
});

// ---------------------------------------------------------------- regions and zones

function exampleZone(own: PlanObject, others: readonly PlanObject[], region: string): string | undefined {
  for (const p of [own, ...others]) {
    for (const vpc of p.obj.spec.vpcs ?? []) {
      for (const vsw of vpc.vSwitches ?? []) if (zoneRegion(own, others, vsw.zone)?.region === region) return vsw.zone;
    }
  }
  return undefined;
}

export const zoneRegionMismatch = defineValidator<MeshTopology>({
  id: 'topology/zone-region-mismatch',
  severity: 'error',
  summary: "every vSwitch zone belongs to its VPC's region and every cluster zone to the cluster's region (a stated zone region wins over the naming convention)",
  source: SOURCE,
  check(obj, ctx, report) {
    const own = planOf(obj);
    const others = otherObjects(ctx, own.name);
    const check = (zone: string, region: string, path: string, what: string, holder: string) => {
      const zr = zoneRegion(own, others, zone);
      if (!zr || zr.region === region) return;
      const how = zr.stated ? `stated at ${describeWhere(zr.stated, own.name)}` : 'by its name';
      const eg = exampleZone(own, others, region);
      report(path, `${what} is in zone ${zone}, which is in region ${zr.region} (${how}), but ${holder} is in ${region}`, `use a zone of ${region}${eg ? ` (e.g. ${eg})` : ''}`);
    };
    obj.spec.vpcs?.forEach((vpc, i) => {
      vpc.vSwitches?.forEach((vsw, k) => check(vsw.zone, vpc.region, ptr('spec', 'vpcs', i, 'vSwitches', k, 'zone'), `vSwitch ${vsw.id}`, `its VPC ${vpc.id}`));
    });
    obj.spec.clusters?.forEach((c, i) => {
      const vpcRegion = c.vpc === undefined ? undefined : findVpc(own, others, c.vpc)?.value.region;
      const region = c.region ?? vpcRegion;
      if (region === undefined) return;
      const holder = c.region !== undefined ? 'the cluster' : `its VPC ${c.vpc}`;
      c.zones?.forEach((z, k) => check(z, region, ptr('spec', 'clusters', i, 'zones', k), clusterLabel(c), holder));
    });
  },
});

export const zoneRegionUnknown = defineValidator<MeshTopology>({
  id: 'topology/zone-region-unknown',
  severity: 'warning',
  summary: 'every zone either follows a known naming convention or has its region stated in spec.zones, so its region can be checked',
  source: SOURCE,
  check(obj, ctx, report) {
    const own = planOf(obj);
    const others = otherObjects(ctx, own.name);
    const check = (zone: string, region: string | undefined, path: string, what: string) => {
      if (zoneRegion(own, others, zone)) return;
      report(
        path,
        `${what} zone ${JSON.stringify(zone)} follows no known zone naming and no MeshTopology states its region`,
        `add {id: ${zone}, region: ${region ?? '<region>'}} to spec.zones, or use the cloud's zone ID (e.g. cn-hangzhou-j)`,
      );
    };
    obj.spec.vpcs?.forEach((vpc, i) => vpc.vSwitches?.forEach((vsw, k) => check(vsw.zone, vpc.region, ptr('spec', 'vpcs', i, 'vSwitches', k, 'zone'), `vSwitch ${vsw.id}`)));
    obj.spec.clusters?.forEach((c, i) => c.zones?.forEach((z, k) => check(z, c.region, ptr('spec', 'clusters', i, 'zones', k), clusterLabel(c))));
  },
});

export const clusterRegionMismatch = defineValidator<MeshTopology>({
  id: 'topology/cluster-region-mismatch',
  severity: 'error',
  summary: "every cluster's region equals the region of its VPC",
  source: SOURCE,
  check(obj, ctx, report) {
    const own = planOf(obj);
    const others = otherObjects(ctx, own.name);
    obj.spec.clusters?.forEach((c, i) => {
      if (c.region === undefined || c.vpc === undefined) return;
      const vpc = findVpc(own, others, c.vpc);
      if (!vpc || vpc.value.region === c.region) return;
      report(
        ptr('spec', 'clusters', i, 'region'),
        `${clusterLabel(c)} is in region ${c.region} but its VPC ${c.vpc} (${describeWhere(vpc, own.name)}) is in ${vpc.value.region}`,
        `set ${dotted(ptr('spec', 'clusters', i, 'region'))}: ${vpc.value.region}, or set vpc to a VPC of ${c.region}`,
      );
    });
  },
});

// ---------------------------------------------------------------- identity and references

export const duplicateId = defineValidator<MeshTopology>({
  id: 'topology/duplicate-id',
  severity: 'error',
  summary: 'VPC, vSwitch, cluster, mesh and zone IDs (and cluster names) are unique within a MeshTopology, so every lookup has one answer',
  source: SOURCE,
  check(obj, _ctx, report) {
    const once = (what: string, plural: string, items: Array<{ key: string | undefined; path: string }>) => {
      const first = new Map<string, string>();
      for (const { key, path } of items) {
        if (key === undefined) continue;
        const prev = first.get(key);
        if (prev === undefined) first.set(key, path);
        else report(path, `${what} ${key} is defined twice in this MeshTopology (first at ${dotted(prev)})`, `give each ${plural} a distinct value, or merge the two entries`);
      }
    };
    const { vpcs = [], clusters = [], meshes = [], zones = [] } = obj.spec;
    once('VPC ID', 'VPC id', vpcs.map((v, i) => ({ key: v.id, path: ptr('spec', 'vpcs', i, 'id') })));
    once(
      'vSwitch ID',
      'vSwitch id',
      vpcs.flatMap((v, i) => (v.vSwitches ?? []).map((s, k) => ({ key: s.id, path: ptr('spec', 'vpcs', i, 'vSwitches', k, 'id') }))),
    );
    once('cluster ID', 'cluster id', clusters.map((c, i) => ({ key: c.id, path: ptr('spec', 'clusters', i, 'id') })));
    // A cluster is looked up by ID or name, so a name may not repeat, nor equal another cluster's ID.
    once(
      'cluster name',
      'cluster name',
      clusters.map((c, i) => ({ key: c.name, path: ptr('spec', 'clusters', i, 'name') })),
    );
    clusters.forEach((c, i) => {
      if (c.name === undefined || c.name === c.id) return;
      if (clusters.some((o, j) => j < i && o.name === c.name)) return; // already a duplicate name
      const k = clusters.findIndex((o) => o.id === c.name);
      if (k >= 0) {
        report(
          ptr('spec', 'clusters', i, 'name'),
          `cluster name ${c.name} is the ID of another cluster (${dotted(ptr('spec', 'clusters', k, 'id'))}), so a reference to it is ambiguous`,
          `rename cluster ${c.id}`,
        );
      }
    });
    once('mesh name', 'mesh name', meshes.map((m, i) => ({ key: m.name, path: ptr('spec', 'meshes', i, 'name') })));
    once('zone', 'zone id', zones.map((z, i) => ({ key: z.id, path: ptr('spec', 'zones', i, 'id') })));
  },
});

function unresolved(ctx: RuleContext): { suffix: string; severity: Severity } {
  return ctx.topology
    ? { suffix: 'in this MeshTopology or any other', severity: 'error' }
    : { suffix: 'in this MeshTopology (no other MeshTopology is known here)', severity: 'warning' };
}

export const danglingReference = defineValidator<MeshTopology>({
  id: 'topology/dangling-reference',
  severity: 'error',
  summary: "cluster.vpc, mesh.vpc and mesh.clusters name a VPC or cluster that exists (a warning when only this MeshTopology is known)",
  source: SOURCE,
  check(obj, ctx, report: Report) {
    const own = planOf(obj);
    const others = otherObjects(ctx, own.name);
    const { suffix, severity } = unresolved(ctx);
    const vpcIds = () => [own, ...others].flatMap((p) => (p.obj.spec.vpcs ?? []).map((v) => v.id));
    const clusterIds = () => [own, ...others].flatMap((p) => (p.obj.spec.clusters ?? []).map((c) => c.id));
    const known = (list: string[]) => (list.length > 0 ? `known: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', …' : ''}` : 'none is defined');
    obj.spec.clusters?.forEach((c, i) => {
      if (c.vpc === undefined || findVpc(own, others, c.vpc)) return;
      report(ptr('spec', 'clusters', i, 'vpc'), `${clusterLabel(c)} refers to VPC ${c.vpc}, which is not defined ${suffix}`, `define VPC ${c.vpc} in spec.vpcs, or use an existing VPC ID (${known(vpcIds())})`, severity);
    });
    obj.spec.meshes?.forEach((m, i) => {
      if (m.vpc !== undefined && !findVpc(own, others, m.vpc)) {
        report(ptr('spec', 'meshes', i, 'vpc'), `mesh ${m.name} refers to VPC ${m.vpc}, which is not defined ${suffix}`, `define VPC ${m.vpc} in spec.vpcs, or use an existing VPC ID (${known(vpcIds())})`, severity);
      }
      m.clusters?.forEach((ref, k) => {
        if (findCluster(own, others, ref)) return;
        report(
          ptr('spec', 'meshes', i, 'clusters', k),
          `mesh ${m.name} lists cluster ${ref}, which is not defined (by ID or name) ${suffix}`,
          `define cluster ${ref} in spec.clusters, or use an existing cluster ID (${known(clusterIds())})`,
          severity,
        );
      });
    });
  },
});

function uniqueAcrossMeshes(field: 'trustDomain' | 'namespace', what: string, why: string, normalize: (s: string) => string) {
  return (obj: MeshTopology, ctx: RuleContext, report: Report) => {
    const own = planOf(obj);
    const ownMeshes = meshesOf(own);
    const ownNames = new Set(ownMeshes.map((m) => m.value.name));
    const theirs = otherObjects(ctx, own.name)
      .flatMap(meshesOf)
      .filter((m) => !ownNames.has(m.value.name));
    const seen = new Map<string, (typeof ownMeshes)[number]>();
    for (const m of [...theirs, ...ownMeshes]) {
      const value = m.value[field];
      if (value === undefined) continue;
      const key = normalize(value);
      const prev = seen.get(key);
      if (prev === undefined || prev.value.name === m.value.name) {
        seen.set(key, m);
        continue;
      }
      if (m.object !== own.name || !reportsPairWith(ctx, own.name, prev.object)) continue;
      report(
        join(m.path, field),
        `meshes ${m.value.name} and ${prev.value.name} (${describeWhere(prev, own.name)}) both use ${what} ${value}; ${why}`,
        `give mesh ${m.value.name} its own ${what} (e.g. ${field === 'trustDomain' ? `${m.value.name}.local` : `${m.value.name}-system`})`,
      );
    }
  };
}

export const duplicateTrustDomain = defineValidator<MeshTopology>({
  id: 'topology/duplicate-trust-domain',
  severity: 'error',
  summary: 'mesh trust domains are unique, so an identity names exactly one mesh (federation relies on it)',
  source: '003, 004',
  check: uniqueAcrossMeshes('trustDomain', 'trust domain', 'a workload identity would not say which mesh it belongs to', (s) => s.toLowerCase()),
});

export const duplicateMeshNamespace = defineValidator<MeshTopology>({
  id: 'topology/duplicate-mesh-namespace',
  severity: 'error',
  summary: 'mesh control-plane namespaces are unique, so a namespace names exactly one mesh',
  source: '003, 004',
  check: uniqueAcrossMeshes('namespace', 'control-plane namespace', 'rules could not tell which mesh a resource in that namespace configures', (s) => s),
});

export const meshTopologyKind = defineKind<MeshTopology>({
  group: TOPOLOGY_GROUP,
  kind: TOPOLOGY_KIND,
  versions: [TOPOLOGY_VERSION],
  plural: TOPOLOGY_PLURAL,
  scope: 'Cluster',
  admission: true,
  schema: meshTopologySchema,
  defaulters: [],
  validators: [
    cidrInvalid,
    cidrHostBits,
    vSwitchOutsideVpc,
    cidrOverlap,
    zoneRegionMismatch,
    zoneRegionUnknown,
    clusterRegionMismatch,
    duplicateId,
    danglingReference,
    duplicateTrustDomain,
    duplicateMeshNamespace,
    conflictingDefinition,
  ],
});
