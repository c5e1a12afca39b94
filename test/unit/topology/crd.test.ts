// The chart's MeshTopology CRD is generated from the zod schema; this fails when they drift.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CRD_PATH, crd, renderCrd, structural } from '../../../scripts/gen-crd.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = join(ROOT, 'node_modules/.bin/node');
const SCRIPT = join(ROOT, 'scripts/gen-crd.ts');
const SEED = join(ROOT, 'examples/topology/seed-003-plan.yaml');

type Node = { [k: string]: unknown };

test('charts/meshguard/crds/meshtopology.yaml is what the schema generates (run `node scripts/gen-crd.ts`)', () => {
  assert.equal(readFileSync(CRD_PATH, 'utf8'), renderCrd());
});

test('the CRD is apiextensions v1, cluster-scoped, one served+storage version', () => {
  const c = parse(readFileSync(CRD_PATH, 'utf8'));
  assert.equal(c.apiVersion, 'apiextensions.k8s.io/v1');
  assert.equal(c.metadata.name, 'meshtopologies.meshguard.io');
  assert.equal(c.spec.scope, 'Cluster');
  assert.deepEqual(c.spec.names.kind, 'MeshTopology');
  assert.deepEqual(
    c.spec.versions.map((v: Node) => [v.name, v.served, v.storage]),
    [['v1alpha1', true, true]],
  );
});

test('the schema is structural: every node typed, only the Kubernetes subset of keywords', () => {
  const allowed = new Set(['type', 'description', 'enum', 'required', 'properties', 'items', 'additionalProperties', 'format', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems']);
  const walk = (n: Node, at: string) => {
    assert.equal(typeof n.type, 'string', `type at ${at}`);
    for (const k of Object.keys(n)) assert.ok(allowed.has(k), `keyword ${k} at ${at}`);
    if (n.type === 'object' && at !== '#/properties/metadata') assert.ok(n.properties || n.additionalProperties, `object without properties at ${at}`);
    if (n.type === 'array') assert.ok(n.items, `array without items at ${at}`);
    for (const [k, v] of Object.entries((n.properties as Node | undefined) ?? {})) walk(v as Node, `${at}/properties/${k}`);
    if (n.items) walk(n.items as Node, `${at}/items`);
    for (const r of (n.required as string[] | undefined) ?? []) assert.ok((n.properties as Node)[r], `required ${r} is a property at ${at}`);
  };
  const versions = (crd().spec as Node).versions as Node[];
  walk(((versions[0]!.schema as Node).openAPIV3Schema as Node), '#');
});

test('the apiserver would prune nothing from the seed 003 plan: every field it uses is in the CRD', () => {
  const root = parse(readFileSync(CRD_PATH, 'utf8')).spec.versions[0].schema.openAPIV3Schema as Node;
  const doc = parse(readFileSync(SEED, 'utf8')) as Node;
  const walk = (value: unknown, schema: Node, at: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, schema.items as Node, `${at}[${i}]`));
    else if (value !== null && typeof value === 'object') {
      if (at === 'metadata') return;
      for (const [k, v] of Object.entries(value)) {
        const child = (schema.properties as Node | undefined)?.[k] as Node | undefined;
        assert.ok(child, `${at}.${k} is in the CRD schema`);
        walk(v, child, `${at}.${k}`);
      }
    } else assert.equal(schema.type, typeof value === 'number' ? 'integer' : typeof value, at);
  };
  for (const [k, v] of Object.entries(doc)) walk(v, (root.properties as Node)[k] as Node, k);
});

test('a zod construct with no structural form fails the generator instead of slipping through', () => {
  assert.throws(() => structural({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'number' }] } } }), /anyOf.*#\/properties\/a/);
  assert.throws(() => structural({ properties: {} }), /no single type at #/);
  assert.deepEqual(structural({ $schema: 'x', type: 'object', properties: {}, additionalProperties: {} }), { type: 'object', properties: {} });
  assert.deepEqual(structural({ type: 'object', additionalProperties: { type: 'string' } }), { type: 'object', additionalProperties: { type: 'string' } });
});

test('--check exits 1 on a stale file and 0 once regenerated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshguard-crd-'));
  try {
    const file = join(dir, 'meshtopology.yaml');
    writeFileSync(file, renderCrd().replace('VPC ID, unique', 'VPC id, unique'));
    const stale = spawnSync(NODE, [SCRIPT, '--check', '--file', file], { encoding: 'utf8' });
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /out of date/);
    execFileSync(NODE, [SCRIPT, '--file', file]);
    assert.equal(spawnSync(NODE, [SCRIPT, '--check', '--file', file]).status, 0);
    assert.equal(readFileSync(file, 'utf8'), renderCrd());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
