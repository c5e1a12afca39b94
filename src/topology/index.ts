// Merges any number of MeshTopology objects into one immutable TopologyView.
//
// Merge semantics (docs/adr/0002-meshtopology.md): entities are keyed by ID (VPC, vSwitch, cluster, zone)
// or name (mesh). Objects are taken in order of metadata.name. A field stated by several objects must
// agree (CIDR lists compare as sets of canonical CIDRs); a field stated by only one is taken from it.
// A disagreement is a `topology/conflicting-definition` finding and the first object's value is kept.
// Duplicates inside one object are left to the single-object rule `topology/duplicate-id`.

import type { ClusterFacts, MeshFacts, TopologyView, VpcFacts, VSwitchFacts } from '../engine/context.ts';
import { dotted, join, ptr } from '../engine/pointer.ts';
import { deepFreeze, type Finding, type KObject } from '../engine/types.ts';
import { canonicalCidr } from '../net/cidr.ts';
import { regionOfZone as regionByConvention } from '../net/zone.ts';
import { isMeshTopology, meshTopologySchema, sourceName, type MeshTopology } from './schema.ts';

export * from './schema.ts';

export const CONFLICT_RULE = 'topology/conflicting-definition';
export const INVALID_RULE = 'schema/invalid';

/** A merge finding, tied to the input object (by position and name) it should be reported on. */
export interface TopologyFinding extends Finding {
  /** Index into the objects passed to buildTopology. */
  index: number;
  /** metadata.name of that object. */
  object: string;
  /** For a conflict: where the statement it disagrees with was made. */
  other?: { index: number; object: string; path: string };
}

export interface Topology {
  view: TopologyView;
  findings: TopologyFinding[];
}

type Value = string | readonly string[] | undefined;

interface Statement {
  index: number;
  object: string;
  path: string;
  fields: Record<string, Value>;
}

interface Merged {
  key: string;
  fields: Record<string, Value>;
  /** Which object and path each field came from, for messages. */
  from: Record<string, Statement>;
  first: Statement;
}

type EntityKind = 'VPC' | 'vSwitch' | 'cluster' | 'mesh' | 'zone';

/** Fields whose values are CIDR lists or single CIDRs: compared by canonical form. */
const CIDR_FIELDS = new Set(['cidrs', 'cidr', 'ipv6Cidr', 'podCIDRs', 'serviceCIDRs']);

export function buildTopology(objects: readonly KObject[]): Topology {
  const { tables, parsed, findings } = merge(objects);
  const sources = parsed.map((p) => deepFreeze(structuredClone(objects[p.index]!)));
  return { view: freezeView(tables, sources), findings };
}

/** Only the merge findings, without building the view (admission's conflict check needs no more). */
export function mergeFindings(objects: readonly KObject[]): TopologyFinding[] {
  return merge(objects).findings;
}

// The view's sources are frozen: admission merges them again for every incoming MeshTopology.
const schemaCache = new WeakMap<object, ReturnType<typeof meshTopologySchema.safeParse>>();
function parseSchema(o: KObject) {
  const hit = schemaCache.get(o);
  if (hit) return hit;
  const r = meshTopologySchema.safeParse(o);
  if (Object.isFrozen(o)) schemaCache.set(o, r);
  return r;
}

function merge(objects: readonly KObject[]) {
  const findings: TopologyFinding[] = [];
  const parsed: Array<{ index: number; name: string; obj: MeshTopology }> = [];
  objects.forEach((raw, index) => {
    if (!isMeshTopology(raw)) return;
    const name = raw.metadata?.name ?? `#${index}`;
    const r = parseSchema(raw);
    if (!r.success) {
      findings.push({
        rule: INVALID_RULE,
        severity: 'error',
        path: '',
        message: `${sourceName(name)} is not a valid MeshTopology and was left out of the topology: ${r.error.issues[0]?.message ?? 'invalid'}`,
        fix: 'correct the object to the MeshTopology schema (see the CRD)',
        index,
        object: name,
      });
      return;
    }
    parsed.push({ index, name, obj: r.data });
  });
  parsed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index));

  const tables: Record<EntityKind, Map<string, Merged>> = {
    VPC: new Map(),
    vSwitch: new Map(),
    cluster: new Map(),
    mesh: new Map(),
    zone: new Map(),
  };

  const state = (kind: EntityKind, key: string, st: Statement) => {
    const table = tables[kind];
    const prev = table.get(key);
    if (!prev) {
      const from: Record<string, Statement> = {};
      for (const f of Object.keys(st.fields)) if (st.fields[f] !== undefined) from[f] = st;
      table.set(key, { key, fields: { ...st.fields }, from, first: st });
      return;
    }
    if (prev.first.index === st.index) return; // a duplicate inside one object: topology/duplicate-id
    for (const [field, value] of Object.entries(st.fields)) {
      if (value === undefined) continue;
      const had = prev.fields[field];
      if (had === undefined) {
        prev.fields[field] = value;
        prev.from[field] = st;
        continue;
      }
      if (comparable(field, had) === comparable(field, value)) continue;
      const other = prev.from[field]!;
      findings.push({
        rule: CONFLICT_RULE,
        severity: 'error',
        path: join(st.path, field),
        message:
          `${kind} ${key}: ${field} is ${show(value)} in ${sourceName(st.object)} but ${show(had)} in ` +
          `${sourceName(other.object)} (${dotted(join(other.path, field))})`,
        fix: `state ${kind} ${key} the same way in every MeshTopology, or only in one of them (keeping ${show(had)})`,
        index: st.index,
        object: st.object,
        other: { index: other.index, object: other.object, path: join(other.path, field) },
      });
    }
  };

  for (const { index, name, obj } of parsed) {
    const spec = obj.spec;
    spec.vpcs?.forEach((vpc, i) => {
      const path = ptr('spec', 'vpcs', i);
      state('VPC', vpc.id, { index, object: name, path, fields: { region: vpc.region, cidrs: vpc.cidrs } });
      vpc.vSwitches?.forEach((vsw, k) => {
        state('vSwitch', vsw.id, {
          index,
          object: name,
          path: ptr('spec', 'vpcs', i, 'vSwitches', k),
          fields: { vpc: vpc.id, zone: vsw.zone, cidr: vsw.cidr, ipv6Cidr: vsw.ipv6Cidr },
        });
      });
    });
    spec.clusters?.forEach((c, i) => {
      state('cluster', c.id, {
        index,
        object: name,
        path: ptr('spec', 'clusters', i),
        fields: {
          name: c.name,
          region: c.region,
          vpc: c.vpc,
          network: c.network,
          networkPlugin: c.networkPlugin,
          zones: c.zones,
          podCIDRs: c.podCIDRs,
          serviceCIDRs: c.serviceCIDRs,
        },
      });
    });
    spec.meshes?.forEach((m, i) => {
      state('mesh', m.name, {
        index,
        object: name,
        path: ptr('spec', 'meshes', i),
        fields: { namespace: m.namespace, trustDomain: m.trustDomain, vpc: m.vpc, clusters: m.clusters },
      });
    });
    spec.zones?.forEach((z, i) => {
      state('zone', z.id, { index, object: name, path: ptr('spec', 'zones', i), fields: { region: z.region } });
    });
  }

  return { tables, parsed, findings };
}

function comparable(field: string, v: Value): string {
  if (typeof v === 'string') return CIDR_FIELDS.has(field) ? (canonicalCidr(v) ?? v) : v;
  const items = (v ?? []).map((s) => (CIDR_FIELDS.has(field) ? (canonicalCidr(s) ?? s) : s));
  return JSON.stringify([...new Set(items)].sort());
}

function show(v: Value): string {
  return typeof v === 'string' ? v : `[${(v ?? []).join(', ')}]`;
}

const str = (v: Value): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: Value): string[] => (Array.isArray(v) ? [...(v as readonly string[])] : []);

/** A Set that cannot be changed through its own methods (ReadonlySet at runtime too). */
class FrozenSet<T> implements ReadonlySet<T> {
  readonly #set: Set<T>;
  constructor(items: Iterable<T>) {
    this.#set = new Set(items);
    Object.freeze(this);
  }
  get size(): number {
    return this.#set.size;
  }
  has(value: T): boolean {
    return this.#set.has(value);
  }
  forEach(cb: (value: T, value2: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    this.#set.forEach((v) => cb.call(thisArg, v, v, this));
  }
  entries(): SetIterator<[T, T]> {
    return this.#set.entries();
  }
  keys(): SetIterator<T> {
    return this.#set.keys();
  }
  values(): SetIterator<T> {
    return this.#set.values();
  }
  [Symbol.iterator](): SetIterator<T> {
    return this.#set.values();
  }
}


function freezeView(tables: Record<EntityKind, Map<string, Merged>>, sources: readonly KObject[]): TopologyView {
  const src = (m: Merged) => sourceName(m.first.object);
  const statedRegion = new Map<string, string>();
  for (const z of tables.zone.values()) {
    const region = str(z.fields.region);
    if (region !== undefined) statedRegion.set(z.key, region);
  }

  const vpcs = new Map<string, VpcFacts>();
  const vSwitches = new Map<string, VSwitchFacts>();
  const vpcSwitches = new Map<string, VSwitchFacts[]>();
  for (const m of tables.vSwitch.values()) {
    const vpcId = str(m.fields.vpc) ?? '';
    const region = str(tables.VPC.get(vpcId)?.fields.region) ?? '';
    const facts: VSwitchFacts = { id: m.key, vpc: vpcId, zone: str(m.fields.zone) ?? '', region, source: src(m) };
    const cidr = str(m.fields.cidr);
    if (cidr !== undefined) facts.cidr = cidr;
    const ipv6Cidr = str(m.fields.ipv6Cidr);
    if (ipv6Cidr !== undefined) facts.ipv6Cidr = ipv6Cidr;
    vSwitches.set(m.key, deepFreeze(facts));
    const arr = vpcSwitches.get(vpcId) ?? [];
    arr.push(facts);
    vpcSwitches.set(vpcId, arr);
  }
  for (const m of tables.VPC.values()) {
    const sws = vpcSwitches.get(m.key) ?? [];
    vpcs.set(
      m.key,
      deepFreeze({
        id: m.key,
        region: str(m.fields.region) ?? '',
        cidrs: list(m.fields.cidrs),
        zones: [...new Set(sws.map((s) => s.zone).filter((z) => z !== ''))],
        vSwitches: sws.map((s) => s.id),
        source: src(m),
      }),
    );
  }

  const clusters = new Map<string, ClusterFacts>();
  const clustersByName = new Map<string, ClusterFacts>();
  for (const m of tables.cluster.values()) {
    const facts: ClusterFacts = { id: m.key, zones: list(m.fields.zones), source: src(m) };
    const optional = ['name', 'region', 'vpc', 'network', 'networkPlugin'] as const;
    for (const f of optional) {
      const v = str(m.fields[f]);
      if (v !== undefined) (facts as unknown as Record<string, string>)[f] = v;
    }
    facts.podCIDRs = list(m.fields.podCIDRs);
    facts.serviceCIDRs = list(m.fields.serviceCIDRs);
    deepFreeze(facts);
    clusters.set(m.key, facts);
    if (facts.name !== undefined && !clustersByName.has(facts.name)) clustersByName.set(facts.name, facts);
  }

  const meshes = new Map<string, MeshFacts>();
  const meshesByNs = new Map<string, MeshFacts>();
  for (const m of tables.mesh.values()) {
    const facts: MeshFacts = { name: m.key, clusters: list(m.fields.clusters), source: src(m) };
    for (const f of ['namespace', 'trustDomain', 'vpc'] as const) {
      const v = str(m.fields[f]);
      if (v !== undefined) facts[f] = v;
    }
    deepFreeze(facts);
    meshes.set(m.key, facts);
    if (facts.namespace !== undefined && !meshesByNs.has(facts.namespace)) meshesByNs.set(facts.namespace, facts);
  }

  const regions = new FrozenSet<string>(
    [...[...vpcs.values()].map((v) => v.region), ...[...clusters.values()].map((c) => c.region ?? ''), ...statedRegion.values()].filter(
      (r) => r !== '',
    ),
  );
  const zones = new FrozenSet<string>(
    [...[...vSwitches.values()].map((s) => s.zone), ...[...clusters.values()].flatMap((c) => c.zones), ...statedRegion.keys()].filter(
      (z) => z !== '',
    ),
  );
  const meshList = Object.freeze([...meshes.values()]);
  const clusterList = Object.freeze([...clusters.values()]);
  const vpcList = Object.freeze([...vpcs.values()]);
  const vSwitchList = Object.freeze([...vSwitches.values()]);
  const sourceList = Object.freeze([...sources]);

  const view: TopologyView = {
    vSwitch: (id) => vSwitches.get(id),
    vpc: (id) => vpcs.get(id),
    cluster: (idOrName) => clusters.get(idOrName) ?? clustersByName.get(idOrName),
    mesh: (name) => meshes.get(name),
    meshByNamespace: (namespace) => meshesByNs.get(namespace),
    meshes: () => meshList,
    clusters: () => clusterList,
    vpcs: () => vpcList,
    vSwitches: () => vSwitchList,
    regions: () => regions,
    zones: () => zones,
    regionOfZone: (zone) => statedRegion.get(zone) ?? regionByConvention(zone),
    statedRegionOfZone: (zone) => statedRegion.get(zone),
    sources: () => sourceList,
  };
  return Object.freeze(view);
}

/** The view of no topology at all (every lookup misses). */
export const EMPTY_TOPOLOGY: TopologyView = buildTopology([]).view;
