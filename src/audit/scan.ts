// One audit scan: list every served kind (audit-only core kinds too), run the same engine as admission
// with defaults on (so "would mutate" shows as findings), then the cross-object rules over the whole
// inventory. The same function serves `meshguard audit` and the server's background loop.
//
// Memory: pages are streamed, and only objects a kind's `applies` accepts are kept (the `istio` ConfigMaps,
// not every ConfigMap), slimmed of managedFields and last-applied annotations. The kept objects must all be
// in memory at once: cross-object rules (reciprocal peers, meshNetworks overlaps …) need every one of them.
// What the scan returns holds only references and findings, so the objects can be collected right after.

import type { ClusterLookups, RuleContext } from '../engine/context.ts';
import { defaultContext } from '../engine/context.ts';
import type { Overrides, RuleFailure } from '../engine/evaluate.ts';
import { evaluateInventory } from '../engine/inventory.ts';
import type { Registry } from '../engine/registry.ts';
import type { Finding, KObject } from '../engine/types.ts';
import { buildTopology, TOPOLOGY_GROUP, TOPOLOGY_KIND } from '../topology/index.ts';
import { listAll, type ListOptions, type ListPage, type ListProblem } from './list.ts';
import type { ObjectRef } from './report.ts';

export interface AuditedObject {
  ref: ObjectRef;
  findings: Finding[];
}

export interface ScanResult {
  /** Every object evaluated, with its findings (possibly none). */
  objects: AuditedObject[];
  /** Findings of cross-object rules that belong to no single object (skipped or failed rules). */
  general: Finding[];
  /** Kinds that could not be listed (after retries). Empty = the scan saw everything it may see. */
  problems: ListProblem[];
  complete: boolean;
  /** Objects evaluated per kind. */
  counts: Map<string, number>;
  failures: RuleFailure[];
  startedAt: Date;
  seconds: number;
}

export interface ScanOptions {
  pageSize: number;
  overrides?: Overrides;
  clusterDomain?: string;
  /** Cluster lookups kept current elsewhere (the server's informers); the CLI has none. */
  lookups?: ClusterLookups;
  signal?: AbortSignal;
  onApiError?: ListOptions['onApiError'];
  retry?: ListOptions['retry'];
}

/** Audit-only core kinds (ConfigMaps, Services) are listed whole to find the few that apply: smaller pages. */
export const CORE_PAGE_SIZE = 100;

export async function scanCluster(list: ListPage, registry: Registry, opts: ScanOptions): Promise<ScanResult> {
  const startedAt = new Date();
  const started = performance.now();
  const problems: ListProblem[] = [];
  const entries: Array<{ meta: ObjectRef; object: KObject }> = [];
  const counts = new Map<string, number>();
  for (const spec of registry.kinds) {
    const pageSize = spec.admission ? opts.pageSize : Math.min(opts.pageSize, CORE_PAGE_SIZE);
    const listOpts: ListOptions = { pageSize, problems, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onApiError ? { onApiError: opts.onApiError } : {}), ...(opts.retry ? { retry: opts.retry } : {}) };
    for await (const o of listAll(list, spec, listOpts)) {
      if (spec.applies && !spec.applies(o)) continue;
      const m = o.metadata ?? {};
      const meta: ObjectRef = { apiVersion: String(o.apiVersion), kind: spec.kind, namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', scope: spec.scope };
      entries.push({ meta, object: o });
      counts.set(spec.kind, (counts.get(spec.kind) ?? 0) + 1);
    }
  }

  const topoObjects = entries.filter((e) => e.object.kind === TOPOLOGY_KIND && e.object.apiVersion?.startsWith(`${TOPOLOGY_GROUP}/`)).map((e) => e.object);
  const topology = topoObjects.length > 0 ? buildTopology(topoObjects).view : undefined;
  const contextFor = (o: KObject): RuleContext => {
    const ctx = defaultContext({ namespace: o.metadata?.namespace ?? '', operation: 'UPDATE', clusterDomain: opts.clusterDomain ?? 'svc.cluster.local' });
    if (topology) ctx.topology = topology;
    if (opts.lookups) ctx.lookups = opts.lookups;
    return ctx;
  };
  const result = evaluateInventory(registry, entries, contextFor, {
    defaults: true,
    validate: true,
    inPlace: true, // objects straight from the list, read by nothing else
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
  });
  entries.length = 0;
  const objects: AuditedObject[] = [];
  for (const item of result.items) if (item.evaluation.known) objects.push({ ref: item.meta, findings: item.evaluation.findings });
  return {
    objects,
    general: result.general,
    problems,
    complete: problems.length === 0,
    counts,
    failures: result.failures,
    startedAt,
    seconds: (performance.now() - started) / 1000,
  };
}
