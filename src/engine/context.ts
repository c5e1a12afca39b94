// What rules may know beyond the object itself. Everything is optional: a rule that needs a
// part that is absent is skipped by the engine (and says so in CLI/audit output), never guesses.

import type { KObject, Operation } from './types.ts';

export interface VSwitchFacts {
  id: string;
  vpc: string;
  zone: string;
  region: string;
  cidr?: string;
  /** IPv6 block of the vSwitch, when it has one (MeshTopology addition). */
  ipv6Cidr?: string;
  source: string;
}
export interface VpcFacts {
  id: string;
  region: string;
  cidrs: string[];
  zones: string[];
  vSwitches: string[];
  source: string;
}
export interface ClusterFacts {
  id: string;
  name?: string;
  region?: string;
  zones: string[];
  vpc?: string;
  network?: string;
  /** `flannel` | `terway` (MeshTopology addition). */
  networkPlugin?: string;
  podCIDRs?: string[];
  serviceCIDRs?: string[];
  source: string;
}
export interface MeshFacts {
  name: string;
  namespace?: string;
  trustDomain?: string;
  vpc?: string;
  clusters: string[];
  source: string;
}

/** Read-only lookups over the merged MeshTopology (issue: MeshTopology). */
export interface TopologyView {
  vSwitch(id: string): VSwitchFacts | undefined;
  vpc(id: string): VpcFacts | undefined;
  cluster(idOrName: string): ClusterFacts | undefined;
  mesh(name: string): MeshFacts | undefined;
  meshByNamespace(namespace: string): MeshFacts | undefined;
  meshes(): readonly MeshFacts[];
  clusters(): readonly ClusterFacts[];
  regions(): ReadonlySet<string>;
  zones(): ReadonlySet<string>;
  /** Region of a zone: the topology's own statement wins over the naming convention. */
  regionOfZone(zone: string): string | undefined;
  /** Every VPC / vSwitch (MeshTopology addition). */
  vpcs?(): readonly VpcFacts[];
  vSwitches?(): readonly VSwitchFacts[];
  /** Only a zone → region statement written in a MeshTopology (no naming convention). */
  statedRegionOfZone?(zone: string): string | undefined;
  /** The MeshTopology objects the view was merged from (frozen), for cross-object checks at admission. */
  sources?(): readonly KObject[];
}

/** Point lookups served from informer caches (never a request to the API server per admission). */
export interface ClusterLookups {
  configMap(namespace: string, name: string): { data: Record<string, string> } | undefined;
  /**
   * ServiceMeshPeers of a namespace from an informer cache. Absent when the server does not watch
   * them; when present, an empty list means the namespace has none (federation/service-set-peer).
   */
  serviceMeshPeers?(namespace: string): readonly KObject[];
}

/** Everything visible at once: the CLI's inputs or the audit's listing. Enables cross-object rules. */
export interface InventoryView {
  list(group: string, kind: string): readonly KObject[];
}

export interface RuleContext {
  topology?: TopologyView;
  lookups?: ClusterLookups;
  inventory?: InventoryView;
  /** Namespace of the request or object ('' for cluster-scoped). */
  namespace: string;
  operation: Operation;
  oldObject?: KObject;
  /** False for `check --no-defaults` or when the mutating webhook is off. */
  mutationEnabled: boolean;
  /** Kubernetes DNS suffix of this cluster, e.g. `svc.cluster.local`. */
  clusterDomain: string;
}

export type ContextPart = 'topology' | 'lookups' | 'inventory';

export function defaultContext(partial: Partial<RuleContext> = {}): RuleContext {
  return { namespace: '', operation: 'CREATE', mutationEnabled: true, clusterDomain: 'svc.cluster.local', ...partial };
}
