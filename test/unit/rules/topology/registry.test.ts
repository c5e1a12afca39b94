import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRegistry } from '../../../../src/rules/index.ts';

const IDS = [
  'topology/cidr-invalid',
  'topology/cidr-host-bits',
  'topology/vswitch-outside-vpc',
  'topology/cidr-overlap',
  'topology/zone-region-mismatch',
  'topology/zone-region-unknown',
  'topology/cluster-region-mismatch',
  'topology/duplicate-id',
  'topology/dangling-reference',
  'topology/duplicate-trust-domain',
  'topology/duplicate-mesh-namespace',
  'topology/conflicting-definition',
];

test('MeshTopology is served by the full registry with every topology rule', () => {
  const registry = buildRegistry();
  const kind = registry.find('meshguard.io', 'v1alpha1', 'MeshTopology');
  assert.ok(kind);
  assert.equal(kind.scope, 'Cluster');
  assert.equal(kind.plural, 'meshtopologies');
  assert.equal(kind.admission, true);
  assert.equal(registry.find('meshguard.io', 'v1', 'MeshTopology'), undefined);
  const rules = registry.allRules().filter((r) => r.id.startsWith('topology/'));
  assert.deepEqual(rules.map((r) => r.id).sort(), [...IDS].sort());
  // The conflict rule is both an admission validator and an inventory rule under one ID.
  assert.deepEqual(rules.find((r) => r.id === 'topology/conflicting-definition')?.kinds, ['MeshTopology', '(inventory)']);
  for (const r of rules) {
    assert.equal(r.severity, r.id === 'topology/zone-region-unknown' ? 'warning' : 'error', r.id);
    assert.ok(r.summary.length > 20 && r.source.length > 0, r.id);
  }
});

test('unknown fields survive: the schema keeps what it does not know', () => {
  const kind = buildRegistry().find('meshguard.io', 'v1alpha1', 'MeshTopology')!;
  const obj = {
    apiVersion: 'meshguard.io/v1alpha1',
    kind: 'MeshTopology',
    metadata: { name: 'x' },
    spec: { futureField: 1, vpcs: [{ id: 'v', region: 'r', note: 'kept', vSwitches: [{ id: 's', zone: 'z', extra: true }] }] },
  };
  const r = kind.schema.safeParse(obj);
  assert.ok(r.success);
  assert.deepEqual(r.data, obj);
  assert.equal(kind.schema.safeParse({ ...obj, spec: { vpcs: [{ id: 'v' }] } }).success, false, 'region is required');
  assert.equal(kind.schema.safeParse({ ...obj, spec: { clusters: [{ id: 'c', networkPlugin: 'calico' }] } }).success, false);
});
