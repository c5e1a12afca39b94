// Test helpers for the federation rules: building objects, evaluating one object the way admission
// does, and evaluating a set of documents the way `meshguard check` does (every document visible as
// the inventory, a MeshTopology among them used as the topology).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { ClusterLookups, InventoryView, RuleContext, TopologyView } from '../../../../src/engine/context.ts';
import { defaultContext } from '../../../../src/engine/context.ts';
import { evaluate, type Evaluation } from '../../../../src/engine/evaluate.ts';
import { applyPatch } from '../../../../src/engine/patch.ts';
import { splitApiVersion, type Finding, type KObject, type Severity } from '../../../../src/engine/types.ts';
import { buildRegistry } from '../../../../src/rules/index.ts';
import { buildTopology } from '../../../../src/topology/index.ts';

export const registry = buildRegistry();
export const API = 'federation.maistra.io/v1';

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Deep-merges `patch` into a copy of `base`; `undefined` in the patch deletes the key. */
export function merge<T>(base: T, patch: unknown): T {
  if (patch === undefined) return clone(base);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return clone(patch) as T;
  const out: Record<string, unknown> =
    typeof base === 'object' && base !== null && !Array.isArray(base) ? clone(base as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out as T;
}

/** A complete, valid peer as seed 004 writes it: green-mesh seen from red-mesh-system. */
export function seedPeer(patch: unknown = {}): KObject {
  return merge<KObject>(
    {
      apiVersion: API,
      kind: 'ServiceMeshPeer',
      metadata: { name: 'green-mesh', namespace: 'red-mesh-system' },
      spec: {
        remote: { addresses: ['ingress-red-mesh.green-mesh-system.apps.domain.com'], discoveryPort: 8188, servicePort: 15443 },
        gateways: { ingress: { name: 'ingress-green-mesh' }, egress: { name: 'egress-green-mesh' } },
        security: {
          trustDomain: 'green-mesh.local',
          clientID: 'green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account',
          certificateChain: { kind: 'ConfigMap', name: 'green-mesh-ca-root-cert' },
        },
      },
    },
    patch,
  );
}

export function topologyOf(meshes: Array<{ name: string; namespace?: string; trustDomain?: string }>, zones: Array<{ id: string; region: string }> = []): TopologyView {
  const { view } = buildTopology([
    { apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'test' }, spec: { meshes, ...(zones.length ? { zones } : {}) } },
  ]);
  return view;
}

export const RED_GREEN_BLUE = topologyOf([
  { name: 'red-mesh', namespace: 'red-mesh-system', trustDomain: 'red-mesh.local' },
  { name: 'green-mesh', namespace: 'green-mesh-system', trustDomain: 'green-mesh.local' },
  { name: 'blue-mesh', namespace: 'blue-mesh-system', trustDomain: 'blue-mesh.local' },
]);

export function lookupsOf(configMaps: Record<string, Record<string, string>>, peers?: KObject[]): ClusterLookups {
  const l: ClusterLookups = { configMap: (ns, name) => (configMaps[`${ns}/${name}`] ? { data: configMaps[`${ns}/${name}`] as Record<string, string> } : undefined) };
  if (peers) l.serviceMeshPeers = (ns) => peers.filter((p) => p.metadata?.namespace === ns);
  return l;
}

export function inventoryOf(objects: readonly KObject[]): InventoryView {
  return {
    list: (group, kind) => objects.filter((o) => o.kind === kind && splitApiVersion(o.apiVersion).group === group),
  };
}

/** Evaluates one object as admission does (namespace from the object unless given). */
export function check(obj: KObject, ctx: Partial<RuleContext> = {}, defaults = true): Evaluation {
  return evaluate(registry, obj, defaultContext({ namespace: obj.metadata?.namespace ?? '', ...ctx }), { defaults, validate: true });
}

export function findingsOf(obj: KObject, rule: string, ctx: Partial<RuleContext> = {}, defaults = true): Finding[] {
  return check(obj, ctx, defaults).findings.filter((f) => f.rule === rule);
}

/** What a table row expects of one rule; a row without it expects the rule not to fire. */
export interface Expected {
  path: string;
  severity: Severity;
  message?: RegExp;
  fix?: RegExp;
  /** How many findings of the rule (default 1). */
  count?: number;
}

/**
 * Asserts one rule's findings against a table row: none when `expect` is undefined, else `count` (default 1)
 * findings, one of them at `expect.path` with the severity and matching message and fix. Returns that finding.
 */
export function assertFindings(found: Finding[], expect: Expected | undefined, noneMessage?: string): Finding | undefined {
  if (!expect) {
    assert.deepEqual(found, [], noneMessage);
    return undefined;
  }
  assert.equal(found.length, expect.count ?? 1, JSON.stringify(found));
  const f = found.find((x) => x.path === expect.path);
  assert.ok(f, `finding at ${expect.path}: ${JSON.stringify(found)}`);
  assert.equal(f.severity, expect.severity);
  if (expect.message) assert.match(f.message, expect.message);
  if (expect.fix) assert.match(f.fix ?? '', expect.fix);
  return f;
}

/** Defaults `obj`, then defaults the result again: the second patch must be empty. */
export function secondPatch(obj: KObject, ctx: Partial<RuleContext> = {}): { first: Evaluation; second: Evaluation } {
  const first = check(obj, ctx);
  const second = check(applyPatch(obj, first.patch), ctx);
  return { first, second };
}

export interface DocFinding extends Finding {
  /** Index of the document the finding is about. */
  index: number;
}

/**
 * Evaluates documents together, as `meshguard check` over them would: each document through the
 * engine (defaults on unless told), then every inventory rule over the defaulted documents.
 */
export function checkDocuments(docs: readonly KObject[], opts: { defaults?: boolean; lookups?: ClusterLookups; topology?: TopologyView } = {}): DocFinding[] {
  const built = buildTopology(docs);
  const hasTopology = docs.some((d) => d.kind === 'MeshTopology');
  const topology = opts.topology ?? (hasTopology ? built.view : undefined);
  const out: DocFinding[] = built.findings.map((f) => ({ ...f }));
  const stored: KObject[] = [];
  const base: Partial<RuleContext> = { ...(topology ? { topology } : {}), ...(opts.lookups ? { lookups: opts.lookups } : {}) };
  const inventory = inventoryOf(stored);
  docs.forEach((doc, index) => {
    const ctx = defaultContext({ ...base, namespace: doc.metadata?.namespace ?? '', inventory });
    const r = evaluate(registry, doc, ctx, { defaults: opts.defaults ?? true, validate: true });
    stored.push(r.defaulted);
    out.push(...r.findings.map((f) => ({ ...f, index })));
  });
  const ctx = { ...defaultContext(base), inventory };
  for (const rule of registry.inventoryRules) {
    if (rule.needs?.some((part) => ctx[part] === undefined)) continue;
    rule.check(ctx, (target, path, message, fix, severity) => {
      const f: DocFinding = { rule: rule.id, severity: severity ?? rule.severity, path, message, index: stored.indexOf(target) };
      if (fix !== undefined) f.fix = fix;
      out.push(f);
    });
  }
  return out;
}

export function loadDocuments(file: URL | string): KObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as KObject | null)
    .filter((d): d is KObject => d !== null && typeof d === 'object');
}
