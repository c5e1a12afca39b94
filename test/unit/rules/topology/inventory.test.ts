// Several MeshTopology objects checked together (CLI inputs, audit): merge conflicts come from the
// inventory rule, cross-object findings are reported once, on the later-named object.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultContext } from '../../../../src/engine/context.ts';
import { evaluateInventory } from '../../../../src/engine/inventory.ts';
import type { KObject } from '../../../../src/engine/types.ts';
import { buildTopology } from '../../../../src/topology/index.ts';
import { checkAll, seedPlan, topo, topologyRegistry } from './helpers.ts';

const k = (o: unknown) => o as KObject;

test('a conflict between two inputs is reported once, on the later-named object, at its path', () => {
  const other = topo('team-b', { vpcs: [{ id: 'vpc-shanghai', region: 'cn-beijing', cidrs: ['21.0.0.0/8'] }] });
  const results = checkAll([k(seedPlan()), k(other)]);
  const conflicts = results.flatMap((r) => r.findings.filter((f) => f.rule === 'topology/conflicting-definition').map((f) => ({ ...f, on: r.name })));
  assert.equal(conflicts.length, 1, JSON.stringify(conflicts));
  assert.equal(conflicts[0]?.on, 'team-b');
  assert.equal(conflicts[0]?.path, '/spec/vpcs/0/region');
  assert.equal(conflicts[0]?.severity, 'error');
  assert.match(conflicts[0]!.message, /^VPC vpc-shanghai: region is cn-beijing in MeshTopology\/team-b but cn-shanghai in MeshTopology\/seed-003-plan \(spec\.vpcs\[1\]\.region\)$/);
});

test('cross-object overlaps and duplicate trust domains between inputs are reported once', () => {
  const other = topo('team-b', {
    clusters: [{ id: 'ack-beijing', region: 'cn-beijing', podCIDRs: ['10.0.0.0/15'] }],
    meshes: [{ name: 'red', namespace: 'red-system', trustDomain: 'cluster.local' }],
  });
  const results = checkAll([k(other), k(seedPlan())]);
  const of = (rule: string) => results.flatMap((r) => r.findings.filter((f) => f.rule === rule).map((f) => ({ ...f, on: r.name })));
  const overlaps = of('topology/cidr-overlap');
  assert.deepEqual(
    overlaps.map((f) => [f.on, f.path]),
    [
      ['team-b', '/spec/clusters/0/podCIDRs/0'],
      ['team-b', '/spec/clusters/0/podCIDRs/0'],
    ],
  );
  assert.match(overlaps[0]!.message, /^cluster ack-beijing pod range 10\.0\.0\.0\/15 overlaps cluster ack-hangzhou pod range 10\.0\.0\.0\/16 \(MeshTopology\/seed-003-plan spec\.clusters\[0\]\.podCIDRs\[0\]\) in 10\.0\.0\.0\/16$/);
  assert.match(overlaps[1]!.message, /overlaps cluster ack-shanghai pod range 10\.1\.0\.0\/16 .* in 10\.1\.0\.0\/16$/);
  const td = of('topology/duplicate-trust-domain');
  assert.equal(td.length, 1);
  assert.equal(td[0]?.on, 'team-b');
});

test('an input conflicting with a --topology object that is not an input is reported on the input', () => {
  const fileOnly = topo('aaa-from-file', { vpcs: [{ id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.0.0.0/9'] }] });
  const input = seedPlan();
  const view = buildTopology([k(fileOnly), k(input)]).view;
  const result = evaluateInventory(topologyRegistry(), [{ meta: 'plan', object: k(input) }], () => defaultContext({ topology: view }), { defaults: true, validate: true });
  const conflicts = result.items[0]!.evaluation.findings.filter((f) => f.rule === 'topology/conflicting-definition');
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]?.path, '/spec/vpcs/0/cidrs');
  assert.match(conflicts[0]!.message, /in MeshTopology\/aaa-from-file/);
  assert.deepEqual(result.general, []);
});

test('objects that agree merge without findings', () => {
  const agreeing = topo('team-b', {
    vpcs: [{ id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.0.0.0/8'], vSwitches: [{ id: 'vsw-hz-pods', zone: 'cn-hangzhou-i', cidr: '20.1.0.0/16' }] }],
    meshes: [{ name: 'asm-cross-region', trustDomain: 'cluster.local' }],
  });
  for (const { name, findings } of checkAll([k(seedPlan()), k(agreeing)])) {
    assert.deepEqual(findings.filter((f) => f.severity !== 'info'), [], name);
  }
});
