// `meshguard check` and `meshguard defaults`: the admission engine over files, for CI pipelines.

import { stringify } from 'yaml';
import { defaultContext, type RuleContext, type TopologyView } from '../engine/context.ts';
import { evaluate } from '../engine/evaluate.ts';
import { evaluateInventory } from '../engine/inventory.ts';
import type { Registry } from '../engine/registry.ts';
import { str, type KObject } from '../engine/types.ts';
import { buildTopology, TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from '../topology/index.ts';
import { readInputs, type InputDoc } from './inputs.ts';
import { ReportBuilder } from './report.ts';

export interface CheckOptions {
  topology?: string;
  defaults: boolean;
  overrides?: ReadonlyMap<string, 'off' | 'error' | 'warning' | 'info'>;
  clusterDomain?: string;
}

export function isTopology(o: KObject): boolean {
  return o.apiVersion === TOPOLOGY_API_VERSION && o.kind === TOPOLOGY_KIND;
}

/** The topology from --topology FILE plus every MeshTopology among the inputs, merged. */
export async function loadTopology(docs: readonly InputDoc[], file: string | undefined, stdin: () => Promise<string>) {
  const extra = file ? await readInputs([file], stdin) : [];
  const topoDocs = [...extra, ...docs].filter((d) => isTopology(d.object));
  if (topoDocs.length === 0) return { view: undefined, merge: [] as Array<{ doc: InputDoc; finding: ReturnType<typeof buildTopology>['findings'][number] }> };
  const built = buildTopology(topoDocs.map((d) => d.object));
  return {
    view: built.view as TopologyView,
    merge: built.findings.map((finding) => ({ doc: topoDocs[finding.index] as InputDoc, finding })),
  };
}

export async function runCheck(registry: Registry, paths: readonly string[], opts: CheckOptions, stdin: () => Promise<string>): Promise<ReportBuilder> {
  const docs = await readInputs(paths, stdin);
  const topo = await loadTopology(docs, opts.topology, stdin);
  const contextFor = (o: KObject): RuleContext => {
    const ctx = defaultContext({ namespace: str(o.metadata?.namespace), mutationEnabled: opts.defaults, clusterDomain: opts.clusterDomain ?? 'svc.cluster.local' });
    if (topo.view) ctx.topology = topo.view;
    return ctx;
  };
  const result = evaluateInventory(
    registry,
    docs.map((d) => ({ meta: d, object: d.object })),
    contextFor,
    // Objects freshly parsed from the inputs: defaulted in place (the report reads only their metadata).
    { defaults: opts.defaults, validate: true, inPlace: true, ...(opts.overrides ? { overrides: opts.overrides } : {}) },
  );
  const report = new ReportBuilder();
  for (const item of result.items) {
    if (!item.evaluation.known) continue;
    report.resource();
    const at = locate(item.meta);
    for (const f of item.evaluation.findings) report.add(at, f);
  }
  // Objects given with --topology are not inputs: their merge findings are reported here. Inputs get
  // theirs from the inventory rule like every other cross-object finding.
  for (const { doc, finding } of topo.merge) if (!docs.includes(doc)) report.add(locate(doc), finding);
  for (const f of result.general) report.add({ file: '', index: -1 }, f);
  return report;
}

export async function runDefaults(registry: Registry, paths: readonly string[], opts: CheckOptions, stdin: () => Promise<string>): Promise<string> {
  const docs = await readInputs(paths, stdin);
  const topo = await loadTopology(docs, opts.topology, stdin);
  return docs
    .map((d) => {
      const ctx = defaultContext({ namespace: str(d.object.metadata?.namespace), clusterDomain: opts.clusterDomain ?? 'svc.cluster.local' });
      if (topo.view) ctx.topology = topo.view;
      return stringify(evaluate(registry, d.object, ctx, { defaults: true, validate: false }).defaulted, { lineWidth: 0 });
    })
    .join('---\n');
}

function locate(d: InputDoc) {
  const m = d.object.metadata;
  return { file: d.file, index: d.index, apiVersion: String(d.object.apiVersion ?? ''), kind: String(d.object.kind ?? ''), namespace: m?.namespace ?? '', name: m?.name ?? '' };
}
