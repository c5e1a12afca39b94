// The objects the benchmark and the fuzz tests start from: every document of examples/**, classified
// by kind, by origin (valid example or broken/ variant) and by whether the mutating webhook would
// patch it. Read at run time, so new examples join the mix without touching this file.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { defaultContext } from '../../src/engine/context.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Registry } from '../../src/engine/registry.ts';
import type { KindSpec } from '../../src/engine/rule.ts';
import { splitApiVersion, type KObject } from '../../src/engine/types.ts';
import { buildTopology } from '../../src/topology/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

export interface ExampleObject {
  /** Path relative to the repository root. */
  file: string;
  index: number;
  object: KObject;
  /** From a file under broken/: at least one rule is meant to fire. */
  broken: boolean;
  spec: KindSpec<unknown>;
  /** The mutating webhook would patch it (with the examples' merged topology in context). */
  defaultable: boolean;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out;
}

/** Every document of every examples/**.yaml file, with its file and position. */
export function readExampleDocuments(dir = EXAMPLES_DIR): Array<{ file: string; index: number; object: KObject; broken: boolean }> {
  const out: Array<{ file: string; index: number; object: KObject; broken: boolean }> = [];
  for (const file of yamlFiles(dir)) {
    const rel = relative(REPO_ROOT, file);
    parseAllDocuments(readFileSync(file, 'utf8')).forEach((doc, index) => {
      if (doc.errors[0]) throw new Error(`${rel}: ${doc.errors[0].message}`);
      const v = doc.toJS() as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push({ file: rel, index, object: v as KObject, broken: rel.includes('/broken/') });
    });
  }
  return out;
}

export function isTopologyObject(o: KObject): boolean {
  return o.kind === 'MeshTopology' && splitApiVersion(o.apiVersion).group === 'meshguard.io';
}

/** The MeshTopology documents of the valid examples (what the bench server and fuzz context use). */
export function exampleTopologyObjects(): KObject[] {
  return readExampleDocuments()
    .filter((d) => !d.broken && isTopologyObject(d.object))
    .map((d) => d.object);
}

/** The merged view of the valid examples' topologies (the same merge `meshguard serve --topology` does). */
export function exampleTopology() {
  return buildTopology(exampleTopologyObjects());
}

/** Kinds the admission webhooks serve. */
export function servedKinds(registry: Registry): KindSpec<unknown>[] {
  return registry.kinds.filter((k) => k.admission);
}

/** Example objects of served kinds, classified. */
export function servedExamples(registry: Registry): ExampleObject[] {
  const topology = exampleTopology().view;
  const out: ExampleObject[] = [];
  for (const d of readExampleDocuments()) {
    const spec = registry.forObject(d.object);
    if (!spec || !spec.admission) continue;
    const ctx = defaultContext({ namespace: d.object.metadata?.namespace ?? '', topology });
    const ev = evaluate(registry, d.object, ctx, { defaults: true, validate: false });
    out.push({ ...d, spec, defaultable: ev.patch.length > 0 });
  }
  return out;
}
