// The ASM family inside the full registry, and in agreement with the CRDs the control plane installs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { buildRegistry } from '../../../../src/rules/index.ts';
import * as asm from '../../../../src/rules/asm/index.ts';
import { ROOT } from './helpers.ts';

test('the full registry serves ASMPvlConfig and IstioGateway v1beta1 with every ASM rule', () => {
  const registry = buildRegistry(); // throws on a duplicate rule ID across families
  for (const kind of ['ASMPvlConfig', 'IstioGateway']) assert.ok(registry.find('istio.alibabacloud.com', 'v1beta1', kind), kind);
  const ids = registry.allRules().map((r) => r.id);
  for (const k of asm.kinds) for (const r of [...k.defaulters, ...k.validators]) assert.ok(ids.includes(r.id), r.id);
});

test('ASM rule metadata: stable IDs, one-line summaries, a seed source, defaulters as warnings', () => {
  const rules = asm.kinds.flatMap((k) => [...k.defaulters.map((d) => ({ r: d, defaulter: true })), ...k.validators.map((v) => ({ r: v, defaulter: false }))]);
  assert.ok(rules.length >= 40);
  const seen = new Set<string>();
  for (const { r, defaulter } of rules) {
    assert.match(r.id, /^asm-(pvl|gateway)\/[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(!seen.has(r.id), `${r.id} twice`);
    seen.add(r.id);
    assert.ok(r.summary.length > 10 && !r.summary.includes('\n'), r.id);
    assert.match(r.source, /^(000, 002|003)$/, r.id);
    if (defaulter) {
      assert.equal(r.severity, 'warning', r.id);
      assert.match(r.id, /\/default-/);
    } else assert.doesNotMatch(r.id, /\/default-/);
  }
  assert.ok(seen.has('asm-pvl/name-must-be-default'), 'the example rule keeps its ID');
});

test("the kinds match test/controlplane/crds/asm.yaml (group, plural, scope, served versions)", () => {
  const crds = parseAllDocuments(readFileSync(`${ROOT}test/controlplane/crds/asm.yaml`, 'utf8')).map(
    (d) => d.toJS() as { spec: { group: string; names: { kind: string; plural: string }; scope: string; versions: Array<{ name: string; served: boolean }> } },
  );
  for (const k of asm.kinds) {
    const crd = crds.find((c) => c.spec.names.kind === k.kind);
    assert.ok(crd, k.kind);
    assert.equal(crd.spec.group, k.group);
    assert.equal(crd.spec.names.plural, k.plural);
    assert.equal(crd.spec.scope, k.scope);
    assert.deepEqual(crd.spec.versions.filter((v) => v.served).map((v) => v.name), [...k.versions]);
  }
});
