// Cross-object meshNetworks checks: every cluster of a mesh carries its own copy of meshNetworks (in
// its IstioOperator and its `istio` ConfigMap); the copies must not disagree about which network owns an
// address range or a registry. Pairs inside one object are the single-object rules' business.

import type { InventoryView } from '../../engine/context.ts';
import { dotted, ptr } from '../../engine/pointer.ts';
import { defineInventoryRule } from '../../engine/rule.ts';
import type { KObject } from '../../engine/types.ts';
import { overlapPairs, type Cidr } from '../../net/cidr.ts';
import { configMapNetworks, isIstioMeshConfigMap, MESH_NETWORKS_KEY } from './core.ts';
import { cidrRef, endpointCidr, endpointRefs, isPlaceholder, relation, relText, type EndpointRef } from './meshnetworks.ts';
import { configMapSchema, INSTALL_GROUP, istioOperatorSchema, type Networks } from './schema.ts';

interface Source {
  object: KObject;
  label: string;
  meshID?: string;
  networks: Networks;
  /** Pointer of an endpoint field in this object. */
  pointer(rel: Array<string | number>): string;
  /** How a finding names a place in this object. */
  where(rel: Array<string | number>): string;
}

const objectLabel = (o: KObject) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '(unnamed)'}`;

/** Every meshNetworks document visible: IstioOperators' values.global.meshNetworks and istio ConfigMaps'. */
export function meshNetworkSources(inventory: InventoryView): Source[] {
  // Both inventory rules read the same sources; parse every IstioOperator once per inventory.
  let out = sourcesOf.get(inventory);
  if (!out) sourcesOf.set(inventory, (out = readSources(inventory)));
  return out;
}

const sourcesOf = new WeakMap<InventoryView, Source[]>();

function readSources(inventory: InventoryView): Source[] {
  const out: Source[] = [];
  for (const o of inventory.list(INSTALL_GROUP, 'IstioOperator')) {
    const r = istioOperatorSchema.safeParse(o);
    const g = r.success ? r.data.spec?.values?.global : undefined;
    if (!g?.meshNetworks) continue;
    const base = ['spec', 'values', 'global', 'meshNetworks'];
    const src: Source = { object: o, label: objectLabel(o), networks: g.meshNetworks, pointer: (rel) => ptr(...base, ...rel), where: (rel) => dotted(ptr(...base, ...rel)) };
    if (g.meshID) src.meshID = g.meshID;
    out.push(src);
  }
  for (const o of inventory.list('', 'ConfigMap')) {
    if (!isIstioMeshConfigMap(o)) continue;
    const r = configMapSchema.safeParse(o);
    if (!r.success) continue;
    const { networks } = configMapNetworks(r.data);
    if (!networks) continue;
    out.push({ object: o, label: objectLabel(o), networks, pointer: () => ptr('data', MESH_NETWORKS_KEY), where: (rel) => relText(rel) });
  }
  return out;
}

/** Two sources describe the same mesh unless both state different mesh IDs. */
const sameMeshID = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === b;
const sameMesh = (a: Source, b: Source) => sameMeshID(a.meshID, b.meshID);

export const crossObjectCidrOverlap = defineInventoryRule({
  id: 'istio-mesh/cross-object-cidr-overlap',
  severity: 'error',
  summary: 'the meshNetworks of different IstioOperators / istio ConfigMaps of one mesh do not give overlapping fromCidr ranges to different networks',
  source: '001',
  needs: ['inventory'],
  check(ctx, report) {
    const sources = meshNetworkSources(ctx.inventory);
    // Every cluster of a mesh carries a copy of the same meshNetworks, so one range is given to one network
    // by thousands of objects. Copies never conflict with each other: sweep each (range, network, mesh ID)
    // once and expand only the pairs that conflict, instead of every overlapping pair of copies.
    const classes = new Map<string, { cidr: Cidr; network: string; meshID: string | undefined; refs: Ref[] }>();
    let n = 0;
    sources.forEach((src, s) => {
      for (const e of endpointRefs(src.networks, 'cidr')) {
        const cidr = isPlaceholder(e.value) ? undefined : endpointCidr(e.value).cidr;
        if (!cidr) continue;
        const key = JSON.stringify([cidr.version, String(cidr.start), cidr.prefix, e.network, src.meshID ?? null]);
        let c = classes.get(key);
        if (!c) classes.set(key, (c = { cidr, network: e.network, meshID: src.meshID, refs: [] }));
        c.refs.push({ n: n++, s, e, cidr });
      }
    });
    const list = [...classes.values()];
    const conflicts: Array<[Ref, Ref]> = [];
    for (const [i, j] of overlapPairs(list.map((c) => c.cidr))) {
      const p = list[i]!;
      const q = list[j]!;
      if (p.network === q.network || !sameMeshID(p.meshID, q.meshID)) continue;
      for (const x of p.refs) for (const y of q.refs) if (x.s !== y.s) conflicts.push(x.n < y.n ? [x, y] : [y, x]);
    }
    // In input order; the later object of a pair carries the finding.
    conflicts.sort(([a1, b1], [a2, b2]) => b1.n - b2.n || a1.n - a2.n);
    for (const [a, b] of conflicts) {
      const sa = sources[a.s]!;
      const sb = sources[b.s]!;
      report(
        sb.object,
        sb.pointer(cidrRef(b.e)),
        `${sb.where(cidrRef(b.e))} ${b.e.value} (network ${b.e.network}) ${relation(b.cidr, a.cidr)} ${a.e.value}, which ${sa.label} gives to network ${a.e.network}; the clusters disagree on which network owns those endpoints`,
        `give every cluster the same meshNetworks, with ${a.e.network} and ${b.e.network} on disjoint ranges`,
      );
    }
  },
});

interface Ref {
  /** Order of appearance over all sources. */
  n: number;
  s: number;
  e: EndpointRef;
  cidr: Cidr;
}

export const crossObjectRegistryConflict = defineInventoryRule({
  id: 'istio-mesh/cross-object-registry-conflict',
  severity: 'error',
  summary: 'the meshNetworks of different IstioOperators / istio ConfigMaps of one mesh put each fromRegistry in the same network',
  source: '001',
  needs: ['inventory'],
  check(ctx, report) {
    const sources = meshNetworkSources(ctx.inventory);
    const first = new Map<string, { s: number; e: EndpointRef }>();
    sources.forEach((src, s) => {
      for (const e of endpointRefs(src.networks, 'registry')) {
        if (isPlaceholder(e.value)) continue;
        const prev = first.get(e.value);
        if (!prev) {
          first.set(e.value, { s, e });
          continue;
        }
        const other = sources[prev.s]!;
        if (prev.s === s || prev.e.network === e.network || !sameMesh(other, src)) continue;
        report(
          src.object,
          src.pointer(cidrRef(e)),
          `${src.where(cidrRef(e))}: registry ${e.value} is in network ${e.network} here but in network ${prev.e.network} in ${other.label}`,
          `put ${e.value} in the same network everywhere (the network its cluster is on)`,
        );
      }
    });
  },
});
