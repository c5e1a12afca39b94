// One audit scan: list every served kind, run the same engine as admission (defaults included, so
// "would mutate" shows), then the cross-object rules over the whole inventory.

import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { defaultContext, type RuleContext, type TopologyView } from '../engine/context.ts';
import type { Overrides } from '../engine/evaluate.ts';
import { evaluateInventory, type InventoryResult } from '../engine/inventory.ts';
import type { Registry } from '../engine/registry.ts';
import type { KObject } from '../engine/types.ts';
import { buildTopology, TOPOLOGY_KIND, TOPOLOGY_GROUP } from '../topology/index.ts';
import { listAll, type ListProblem } from './list.ts';

export interface ScanResult {
  result: InventoryResult<{ object: KObject }>;
  objects: number;
  problems: ListProblem[];
  seconds: number;
}

export interface ScanOptions {
  pageSize: number;
  overrides?: Overrides;
  clusterDomain?: string;
  /** A topology kept current elsewhere (the server's informer); else the listed MeshTopologies are used. */
  topology?: TopologyView;
}

export async function scanCluster(api: KubernetesObjectApi, registry: Registry, opts: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const problems: ListProblem[] = [];
  const objects: KObject[] = [];
  for (const spec of registry.kinds) {
    for await (const o of listAll(api, spec, opts.pageSize, problems)) if (!spec.applies || spec.applies(o)) objects.push(o);
  }
  const topoObjects = objects.filter((o) => o.kind === TOPOLOGY_KIND && o.apiVersion?.startsWith(`${TOPOLOGY_GROUP}/`));
  const topology = opts.topology ?? (topoObjects.length > 0 ? buildTopology(topoObjects).view : undefined);
  const contextFor = (o: KObject): RuleContext => {
    const ctx = defaultContext({ namespace: o.metadata?.namespace ?? '', operation: 'UPDATE', clusterDomain: opts.clusterDomain ?? 'svc.cluster.local' });
    if (topology) ctx.topology = topology;
    return ctx;
  };
  const result = evaluateInventory(
    registry,
    objects.map((object) => ({ meta: { object }, object })),
    contextFor,
    { defaults: true, validate: true, ...(opts.overrides ? { overrides: opts.overrides } : {}) },
  );
  return { result, objects: objects.length, problems, seconds: (performance.now() - started) / 1000 };
}
