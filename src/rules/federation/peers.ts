// Links between federation objects: an ExportedServiceSet / ImportedServiceSet is named after the
// ServiceMeshPeer it applies to, and every peer has its counterpart in the other mesh (seed 004: red↔green
// needs two ServiceMeshPeers, three meshes need six). Checked over everything visible at once (CLI inputs,
// audit listing); at admission only the service-set link can be checked, and only from a peer cache.

import type { RuleContext } from '../../engine/context.ts';
import { ptr } from '../../engine/pointer.ts';
import { defineInventoryRule, defineValidator, type Validator } from '../../engine/rule.ts';
import type { KObject } from '../../engine/types.ts';
import { localMeshName, parseClientId, peerSystemNamespace } from './names.ts';
import { FEDERATION_GROUP } from './schema.ts';

const SERVICE_SET_KINDS = ['ExportedServiceSet', 'ImportedServiceSet'] as const;

const SERVICE_SET_PEER = {
  id: 'federation/service-set-peer',
  severity: 'warning',
  summary:
    'an ExportedServiceSet/ImportedServiceSet is named after a ServiceMeshPeer in its namespace (error when the inputs or cluster hold peers; warning at admission, the peer may be applied next)',
  source: '004',
} as const;

function nameOf(o: KObject): string | undefined {
  return o.metadata?.name || undefined;
}

function missingPeerText(kind: string, name: string, ns: string, existing: string): { message: string; fix: string } {
  const where = ns ? ` in ${ns}` : '';
  return {
    message: `no ServiceMeshPeer named ${name}${where}: a ${kind} applies to the peer of its name, so Maistra ignores this one`,
    fix:
      existing !== ''
        ? `rename the ${kind} to the peer it is for (${existing}) or create ServiceMeshPeer ${name}${where}`
        : `create ServiceMeshPeer ${name}${where}, or rename the ${kind} to the peer it is for`,
  };
}

/** Admission side of `federation/service-set-peer`: warns from the peer cache when there is no inventory. */
export function serviceSetPeerValidator<T extends KObject>(kind: string): Validator<T> {
  return defineValidator<T>({
    ...SERVICE_SET_PEER,
    check(obj, ctx: RuleContext, report) {
      if (ctx.inventory) return; // the inventory rule decides, with the whole picture
      const ns = obj.metadata?.namespace || ctx.namespace;
      const name = nameOf(obj);
      const peers = ctx.lookups?.serviceMeshPeers?.(ns);
      if (!name || !peers) return;
      const names = peers.map(nameOf).filter((n): n is string => !!n);
      if (names.includes(name)) return;
      const t = missingPeerText(kind, name, ns, names.join(', '));
      report(ptr('metadata', 'name'), `${t.message} (yet: the peer may be applied next)`, t.fix);
    },
  });
}

/**
 * The peers a service set may apply to, indexed once. Namespaces compare equal when they match or when
 * either is unset (a file applied with `-n`): a set in `ns` sees the peers of `ns` and those without a
 * namespace; a set without one sees every peer.
 */
class PeerIndex {
  readonly #peers: readonly KObject[];
  /** Positions in #peers, per namespace; '' holds the peers without one. */
  readonly #byNs = new Map<string, number[]>();
  readonly #namesByNs = new Map<string, Set<string>>();
  readonly #allNames = new Set<string>();
  readonly #listed = new Map<string | undefined, string>();

  constructor(peers: readonly KObject[]) {
    this.#peers = peers;
    peers.forEach((p, i) => {
      const ns = p.metadata?.namespace || '';
      const at = this.#byNs.get(ns);
      if (at) at.push(i);
      else this.#byNs.set(ns, [i]);
      const name = nameOf(p);
      if (!name) return;
      this.#allNames.add(name);
      const names = this.#namesByNs.get(ns);
      if (names) names.add(name);
      else this.#namesByNs.set(ns, new Set([name]));
    });
  }

  /** Whether a peer named `name` is visible from namespace `ns`. */
  has(name: string, ns: string | undefined): boolean {
    if (!ns) return this.#allNames.has(name);
    return !!this.#namesByNs.get(ns)?.has(name) || !!this.#namesByNs.get('')?.has(name);
  }

  /** The names of the peers visible from `ns`, in input order, joined for a fix text (computed once per namespace). */
  listed(ns: string | undefined): string {
    const key = ns || undefined;
    let text = this.#listed.get(key);
    if (text === undefined) {
      text = this.#visible(key)
        .map((i) => nameOf(this.#peers[i] as KObject))
        .filter((n): n is string => !!n)
        .join(', ');
      this.#listed.set(key, text);
    }
    return text;
  }

  #visible(ns: string | undefined): number[] {
    if (!ns) return this.#peers.map((_, i) => i);
    const own = this.#byNs.get(ns) ?? [];
    const unscoped = this.#byNs.get('') ?? [];
    // Both are ascending positions: merge them back into input order.
    const out: number[] = [];
    let a = 0;
    let b = 0;
    while (a < own.length || b < unscoped.length) {
      const x = own[a];
      const y = unscoped[b];
      if (y === undefined || (x !== undefined && x < y)) {
        out.push(x as number);
        a++;
      } else {
        out.push(y);
        b++;
      }
    }
    return out;
  }
}

export const serviceSetPeerInventory = defineInventoryRule({
  ...SERVICE_SET_PEER,
  check(ctx, report) {
    const peers = ctx.inventory.list(FEDERATION_GROUP, 'ServiceMeshPeer');
    const index = new PeerIndex(peers);
    for (const kind of SERVICE_SET_KINDS) {
      for (const set of ctx.inventory.list(FEDERATION_GROUP, kind)) {
        const name = nameOf(set);
        if (!name) continue;
        const ns = set.metadata?.namespace;
        if (index.has(name, ns)) continue;
        const t = missingPeerText(kind, name, ns ?? '', index.listed(ns));
        // No peer at all among the inputs: they may simply not have been passed.
        report(set, ptr('metadata', 'name'), t.message, t.fix, peers.length > 0 ? 'error' : 'warning');
      }
    }
  },
});

/** The peer mesh's control-plane namespace as this peer states it: MeshTopology, clientID, convention. */
function statedPeerNamespace(peer: KObject, ctx: Pick<RuleContext, 'topology'>): string | undefined {
  const name = nameOf(peer);
  if (!name) return undefined;
  const fromTopology = ctx.topology?.mesh(name)?.namespace;
  if (fromTopology) return fromTopology;
  const spec = peer['spec'] as { security?: { clientID?: unknown } } | undefined;
  const clientId = spec?.security?.clientID;
  const fromClient = typeof clientId === 'string' ? parseClientId(clientId)?.namespace : undefined;
  return fromClient ?? peerSystemNamespace(name, ctx).value;
}

interface MissingCounterpart {
  peer: KObject;
  name: string;
  namespace: string;
  localMesh: string;
  peerNamespace: string;
  /** Whether the other mesh's federation objects are among the inputs at all. */
  visible: boolean;
}

function missingCounterparts(ctx: RuleContext & { inventory: NonNullable<RuleContext['inventory']> }): MissingCounterpart[] {
  const peers = ctx.inventory.list(FEDERATION_GROUP, 'ServiceMeshPeer').filter((p) => nameOf(p) && p.metadata?.namespace);
  const occupied = new Set<string>();
  for (const kind of ['ServiceMeshPeer', ...SERVICE_SET_KINDS]) {
    for (const o of ctx.inventory.list(FEDERATION_GROUP, kind)) if (o.metadata?.namespace) occupied.add(o.metadata.namespace);
  }
  // Per namespace: the names of its peers and the namespaces they state for their peer meshes. A peer's
  // counterpart lives in the namespace it states and is named after this mesh or states this namespace.
  const stated = peers.map((p) => statedPeerNamespace(p, ctx));
  const namesIn = new Map<string, Set<string>>();
  const statedIn = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, ns: string, v: string) => {
    const s = m.get(ns);
    if (s) s.add(v);
    else m.set(ns, new Set([v]));
  };
  peers.forEach((q, i) => {
    const ns = q.metadata?.namespace as string;
    add(namesIn, ns, nameOf(q) as string);
    const st = stated[i];
    if (st !== undefined) add(statedIn, ns, st);
  });
  const out: MissingCounterpart[] = [];
  peers.forEach((peer, i) => {
    const name = nameOf(peer) as string;
    const namespace = peer.metadata?.namespace as string;
    const local = localMeshName(namespace, ctx);
    const peerNamespace = stated[i];
    if (!local || !peerNamespace || peerNamespace === namespace) return;
    const found = !!namesIn.get(peerNamespace)?.has(local.value) || !!statedIn.get(peerNamespace)?.has(namespace);
    if (!found) out.push({ peer, name, namespace, localMesh: local.value, peerNamespace, visible: occupied.has(peerNamespace) });
  });
  return out;
}

export const peerReciprocal = defineInventoryRule({
  id: 'federation/peer-reciprocal',
  severity: 'error',
  summary:
    "every ServiceMeshPeer has its counterpart in the peer mesh's namespace when that mesh's federation objects are visible (red↔green needs two, three meshes six)",
  source: '004',
  check(ctx, report) {
    for (const m of missingCounterparts(ctx)) {
      if (!m.visible) continue;
      report(
        m.peer,
        ptr('metadata', 'name'),
        `ServiceMeshPeer ${m.name} in ${m.namespace} has no counterpart: ${m.peerNamespace} holds no ServiceMeshPeer for mesh ${m.localMesh}, so federation is one-sided`,
        `create ServiceMeshPeer ${m.localMesh} in ${m.peerNamespace}`,
      );
    }
  },
});

export const peerReciprocalUnseen = defineInventoryRule({
  id: 'federation/peer-reciprocal-unseen',
  severity: 'info',
  summary: "a ServiceMeshPeer's counterpart cannot be checked because nothing of the peer mesh's namespace is among the inputs (it may be in another cluster)",
  source: '004',
  check(ctx, report) {
    for (const m of missingCounterparts(ctx)) {
      if (m.visible) continue;
      report(
        m.peer,
        ptr('metadata', 'name'),
        `the counterpart of ServiceMeshPeer ${m.name} (ServiceMeshPeer ${m.localMesh} in ${m.peerNamespace}) is not among the inputs`,
        `check that ServiceMeshPeer ${m.localMesh} exists in ${m.peerNamespace} on the cluster of mesh ${m.name}`,
      );
    }
  },
});
