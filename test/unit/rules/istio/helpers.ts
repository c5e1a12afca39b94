// Test helpers for the Istio rules: evaluating one object as admission / `check` does, placing a
// traffic policy fragment at each DestinationRule policy level, and evaluating a set of documents the
// way `meshguard check` does (a MeshTopology among them is the topology, all of them the inventory).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { InventoryView, RuleContext, TopologyView } from '../../../../src/engine/context.ts';
import { defaultContext } from '../../../../src/engine/context.ts';
import { evaluate, runRule, type Evaluation } from '../../../../src/engine/evaluate.ts';
import { applyPatch } from '../../../../src/engine/patch.ts';
import { splitApiVersion, type Finding, type KObject, type Severity } from '../../../../src/engine/types.ts';
import { buildRegistry } from '../../../../src/rules/index.ts';
import { buildTopology } from '../../../../src/topology/index.ts';

export const registry = buildRegistry();

export const CORPUS = new URL('../../../../../shared/corpus/manifests/', import.meta.url);
export const EXAMPLES = new URL('../../../../examples/istio/', import.meta.url);

export function check(obj: KObject, ctx: Partial<RuleContext> = {}, defaults = true): Evaluation {
  return evaluate(registry, obj, defaultContext({ namespace: obj.metadata?.namespace ?? '', mutationEnabled: defaults, ...ctx }), { defaults, validate: true });
}

export function findingsOf(obj: KObject, rule: string, ctx: Partial<RuleContext> = {}, defaults = true): Finding[] {
  return check(obj, ctx, defaults).findings.filter((f) => f.rule === rule);
}

export function errorsOf(obj: KObject, ctx: Partial<RuleContext> = {}, defaults = true): Finding[] {
  return check(obj, ctx, defaults).findings.filter((f) => f.severity === 'error');
}

/** Asserts that one of `rule`'s findings is at `path` with the wanted severity, message and fix; returns it. */
export function assertFindingAt(found: Finding[], rule: string, path: string, want: { severity: Severity; message: RegExp; fix: RegExp }): Finding {
  const f = found.find((x) => x.path === path);
  assert.ok(f, `expected ${rule} at ${path}, got ${JSON.stringify(found)}`);
  assert.equal(f.severity, want.severity);
  assert.match(f.message, want.message);
  assert.match(f.fix ?? '', want.fix);
  return f;
}

/** Defaults `obj`, then defaults the stored result again: the second patch must be empty. */
export function twice(obj: KObject, ctx: Partial<RuleContext> = {}): { first: Evaluation; stored: KObject; second: Evaluation } {
  const first = check(obj, ctx);
  const stored = applyPatch(obj, first.patch);
  return { first, stored, second: check(stored, ctx) };
}

// ---- DestinationRule policy levels ----

export type LevelName = 'top' | 'top-port' | 'subset' | 'subset-port';
export const LEVELS: readonly LevelName[] = ['top', 'top-port', 'subset', 'subset-port'];

/** Pointer of the traffic policy object at each level, as `dr()` places it. */
export const LEVEL_PATH: Record<LevelName, string> = {
  top: '/spec/trafficPolicy',
  'top-port': '/spec/trafficPolicy/portLevelSettings/0',
  subset: '/spec/subsets/0/trafficPolicy',
  'subset-port': '/spec/subsets/0/trafficPolicy/portLevelSettings/0',
};

/** A DestinationRule for `reviews` with `policy` (loadBalancer / outlierDetection …) at `level`. */
export function dr(policy: Record<string, unknown>, level: LevelName = 'top', extra: { top?: Record<string, unknown> } = {}): KObject {
  const port = { port: { number: 9080 }, ...structuredClone(policy) };
  const subset = (trafficPolicy: Record<string, unknown>) => [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy }];
  const spec: Record<string, unknown> = { host: 'reviews' };
  if (level === 'top') spec.trafficPolicy = { ...structuredClone(policy), ...(extra.top ?? {}) };
  else if (extra.top) spec.trafficPolicy = structuredClone(extra.top);
  if (level === 'top-port') spec.trafficPolicy = { ...((spec.trafficPolicy as object) ?? {}), portLevelSettings: [port] };
  if (level === 'subset') spec.subsets = subset(structuredClone(policy));
  if (level === 'subset-port') spec.subsets = subset({ portLevelSettings: [port] });
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' }, spec };
}

export const SEED_OD = { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '1m' };

export function lls(setting: Record<string, unknown>, od: Record<string, unknown> | null = SEED_OD): Record<string, unknown> {
  return { loadBalancer: { localityLbSetting: setting }, ...(od ? { outlierDetection: od } : {}) };
}

// ---- topology ----

/** Seed 003's plan: Hangzhou and Shanghai with one cluster each, Beijing with a VPC but no cluster. */
export function seed003Topology(): TopologyView {
  return buildTopology([
    {
      apiVersion: 'meshguard.io/v1alpha1',
      kind: 'MeshTopology',
      metadata: { name: 'seed-003' },
      spec: {
        vpcs: [
          { id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.0.0.0/8'], vSwitches: [{ id: 'vsw-hz-1', zone: 'cn-hangzhou-j', cidr: '20.0.0.0/16' }] },
          { id: 'vpc-shanghai', region: 'cn-shanghai', cidrs: ['21.0.0.0/8'], vSwitches: [{ id: 'vsw-sh-1', zone: 'cn-shanghai-e', cidr: '21.0.0.0/16' }] },
          { id: 'vpc-beijing', region: 'cn-beijing', cidrs: ['22.0.0.0/8'], vSwitches: [{ id: 'vsw-bj-1', zone: 'cn-beijing-a', cidr: '22.0.0.0/16' }] },
        ],
        clusters: [
          { id: 'ack-hangzhou', name: 'ack-hangzhou', region: 'cn-hangzhou', vpc: 'vpc-hangzhou', network: 'network1', zones: ['cn-hangzhou-j'] },
          { id: 'ack-shanghai', name: 'ack-shanghai', region: 'cn-shanghai', vpc: 'vpc-shanghai', network: 'network2', zones: ['cn-shanghai-e'] },
        ],
      },
    },
  ]).view;
}

// ---- documents together ----

export function inventoryOf(objects: readonly KObject[]): InventoryView {
  return { list: (group, kind) => objects.filter((o) => o.kind === kind && splitApiVersion(o.apiVersion).group === group) };
}

export interface DocFinding extends Finding {
  index: number;
}

/** Evaluates documents together as `meshguard check` does, inventory rules included. */
export function checkDocuments(docs: readonly KObject[], opts: { defaults?: boolean } = {}): DocFinding[] {
  const defaults = opts.defaults ?? true;
  const hasTopology = docs.some((d) => d.kind === 'MeshTopology');
  const topology = hasTopology ? buildTopology(docs).view : undefined;
  const base: Partial<RuleContext> = topology ? { topology } : {};
  const first = docs.map((d) => evaluate(registry, d, defaultContext({ ...base, namespace: d.metadata?.namespace ?? '', mutationEnabled: defaults }), { defaults, validate: false }).defaulted);
  const inventory = inventoryOf(first);
  const out: DocFinding[] = [];
  docs.forEach((d, index) => {
    const r = evaluate(registry, d, defaultContext({ ...base, inventory, namespace: d.metadata?.namespace ?? '', mutationEnabled: defaults }), { defaults, validate: true });
    out.push(...r.findings.map((f) => ({ ...f, index })));
  });
  const ctx = { ...defaultContext({ ...base, mutationEnabled: defaults }), inventory };
  for (const rule of registry.inventoryRules) {
    const sink = { findings: [] as Finding[], failures: [] };
    const targets: KObject[] = [];
    runRule(rule, ctx, {}, sink, (report) => rule.check(ctx, (target, path, message, fix, sev) => {
      targets.push(target);
      report(path, message, fix, sev);
    }));
    sink.findings.forEach((f, i) => out.push({ ...f, index: targets[i] ? first.indexOf(targets[i]) : -1 }));
  }
  return out;
}

export function loadDocuments(url: URL): { text: string; docs: KObject[] } {
  const text = readFileSync(url, 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJS() as KObject).filter((d) => d !== null && typeof d === 'object');
  return { text, docs };
}
