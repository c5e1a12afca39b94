// Shared by the topology rule tests: a registry of this family alone (another family's work in progress
// cannot break these tests; registry.test.ts checks the family inside the full registry), the seed 003
// plan, and evaluation the way each front does it.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { defaultContext, type RuleContext } from '../../../../src/engine/context.ts';
import { evaluate } from '../../../../src/engine/evaluate.ts';
import { evaluateInventory } from '../../../../src/engine/inventory.ts';
import { Registry } from '../../../../src/engine/registry.ts';
import type { Finding, KObject } from '../../../../src/engine/types.ts';
import * as topology from '../../../../src/rules/topology/index.ts';
import { buildTopology, type MeshTopology } from '../../../../src/topology/index.ts';

export function topologyRegistry(): Registry {
  return new Registry(topology.kinds, topology.inventoryRules);
}

export const EXAMPLES = fileURLToPath(new URL('../../../../examples/topology/', import.meta.url));

export function readDocs(file: string): KObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KObject);
}

/** A fresh copy of seed 003's plan. */
export function seedPlan(): MeshTopology {
  return readDocs(`${EXAMPLES}seed-003-plan.yaml`)[0] as unknown as MeshTopology;
}

export function topo(name: string, spec: MeshTopology['spec']): MeshTopology {
  return { apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name }, spec };
}

/**
 * Admission: the object alone, with the topology view the server would hold (built from `stored`, the
 * MeshTopology objects already in the cluster), no inventory.
 */
export function admit(obj: MeshTopology, stored: MeshTopology[] = [], extra: Partial<RuleContext> = {}): Finding[] {
  const ctx = defaultContext({ topology: buildTopology(stored as unknown as KObject[]).view, ...extra });
  return evaluate(topologyRegistry(), obj as unknown as KObject, ctx, { defaults: true, validate: true }).findings;
}

/** The object alone with no topology at all. */
export function alone(obj: MeshTopology): Finding[] {
  return evaluate(topologyRegistry(), obj as unknown as KObject, defaultContext(), { defaults: true, validate: true }).findings;
}

/** CLI: every object is an input, the topology is built from all of them, inventory rules run. */
export function checkAll(objects: readonly KObject[]): Array<{ name: string; findings: Finding[] }> {
  const view = buildTopology(objects).view;
  const result = evaluateInventory(
    topologyRegistry(),
    objects.map((o) => ({ meta: o.metadata?.name ?? '', object: o })),
    () => defaultContext({ topology: view }),
    { defaults: true, validate: true },
  );
  return result.items.map((i) => ({ name: i.meta, findings: i.evaluation.findings }));
}

export const only = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);
