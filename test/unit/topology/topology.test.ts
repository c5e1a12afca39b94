import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology, type MeshTopology } from '../../../src/topology/index.ts';
import type { KObject } from '../../../src/engine/types.ts';

function topo(name: string, spec: MeshTopology['spec']): KObject {
  return { apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name }, spec };
}

const plan = topo('plan', {
  vpcs: [
    { id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.0.0.0/8'], vSwitches: [{ id: 'vsw-hz-1', zone: 'cn-hangzhou-j', cidr: '20.0.0.0/16' }] },
    { id: 'vpc-shanghai', region: 'cn-shanghai', cidrs: ['21.0.0.0/8'], vSwitches: [{ id: 'vsw-sh-1', zone: 'cn-shanghai-e', cidr: '21.0.0.0/16' }] },
  ],
  clusters: [
    { id: 'c1', name: 'ack-hangzhou', region: 'cn-hangzhou', vpc: 'vpc-hangzhou', network: 'network1', podCIDRs: ['10.0.0.0/16'], serviceCIDRs: ['172.16.0.0/16'], zones: ['cn-hangzhou-j'] },
  ],
  meshes: [{ name: 'red-mesh', namespace: 'istio-system', trustDomain: 'red.local', vpc: 'vpc-hangzhou', clusters: ['c1'] }],
  zones: [{ id: 'weird-zone', region: 'cn-shanghai' }, { id: 'cn-hangzhou-x', region: 'cn-beijing' }],
});

test('lookups over one MeshTopology', () => {
  const { view, findings } = buildTopology([plan]);
  assert.deepEqual(findings, []);
  assert.deepEqual(view.vSwitch('vsw-hz-1'), { id: 'vsw-hz-1', vpc: 'vpc-hangzhou', zone: 'cn-hangzhou-j', region: 'cn-hangzhou', cidr: '20.0.0.0/16', source: 'MeshTopology/plan' });
  const vpc = view.vpc('vpc-shanghai');
  assert.equal(vpc?.region, 'cn-shanghai');
  assert.deepEqual(vpc?.zones, ['cn-shanghai-e']);
  assert.deepEqual(vpc?.vSwitches, ['vsw-sh-1']);
  assert.equal(view.cluster('c1')?.name, 'ack-hangzhou');
  assert.equal(view.cluster('ack-hangzhou')?.id, 'c1');
  assert.equal(view.cluster('nope'), undefined);
  assert.equal(view.mesh('red-mesh')?.trustDomain, 'red.local');
  assert.equal(view.meshByNamespace('istio-system')?.name, 'red-mesh');
  assert.equal(view.meshes().length, 1);
  assert.equal(view.clusters().length, 1);
  assert.deepEqual([...view.regions()].sort(), ['cn-beijing', 'cn-hangzhou', 'cn-shanghai']);
  assert.ok(view.zones().has('cn-hangzhou-j') && view.zones().has('weird-zone') && !view.zones().has('cn-hangzhou-k'));
  assert.equal(view.vpcs?.().length, 2);
  assert.equal(view.vSwitches?.().length, 2);
});

test('a stated zone region wins over the naming convention', () => {
  const { view } = buildTopology([plan]);
  assert.equal(view.regionOfZone('weird-zone'), 'cn-shanghai');
  assert.equal(view.regionOfZone('cn-hangzhou-x'), 'cn-beijing');
  assert.equal(view.regionOfZone('cn-hangzhou-k'), 'cn-hangzhou');
  assert.equal(view.statedRegionOfZone?.('cn-hangzhou-k'), undefined);
  assert.equal(view.regionOfZone('1'), undefined);
});

test('the view is immutable', () => {
  const { view } = buildTopology([plan]);
  assert.throws(() => {
    (view as unknown as Record<string, unknown>).vpc = () => undefined;
  }, TypeError);
  const vsw = view.vSwitch('vsw-hz-1')!;
  assert.throws(() => {
    (vsw as { zone: string }).zone = 'x';
  }, TypeError);
  assert.throws(() => (view.vpc('vpc-hangzhou')!.cidrs as string[]).push('1.0.0.0/8'), TypeError);
  assert.throws(() => (view.meshes() as unknown[]).push({}), TypeError);
  assert.equal((view.regions() as unknown as { add?: unknown }).add, undefined);
  assert.throws(() => {
    (view.regions() as unknown as Record<string, unknown>).x = 1;
  }, TypeError);
});

test('objects merge field by field; agreeing statements are no conflict', () => {
  const extra = topo('extra', {
    vpcs: [
      // Same VPC restated with its CIDR in another (but equal) spelling, and a second vSwitch.
      { id: 'vpc-hangzhou', region: 'cn-hangzhou', cidrs: ['20.1.2.3/8'], vSwitches: [{ id: 'vsw-hz-2', zone: 'cn-hangzhou-k', cidr: '20.1.0.0/16' }] },
    ],
    clusters: [{ id: 'c1', networkPlugin: 'terway' }],
  });
  const { view, findings } = buildTopology([extra, plan]);
  assert.deepEqual(findings, []);
  assert.deepEqual(view.vpc('vpc-hangzhou')?.vSwitches, ['vsw-hz-2', 'vsw-hz-1']);
  assert.deepEqual(view.vpc('vpc-hangzhou')?.zones, ['cn-hangzhou-k', 'cn-hangzhou-j']);
  assert.equal(view.cluster('c1')?.networkPlugin, 'terway');
  assert.equal(view.cluster('c1')?.region, 'cn-hangzhou');
});

test('the same ID defined differently in two objects is a finding on the later object', () => {
  const other = topo('zz-other', {
    vpcs: [{ id: 'vpc-hangzhou', region: 'cn-beijing', vSwitches: [{ id: 'vsw-sh-1', zone: 'cn-hangzhou-j' }] }],
    meshes: [{ name: 'red-mesh', trustDomain: 'blue.local' }],
    zones: [{ id: 'weird-zone', region: 'cn-hangzhou' }],
  });
  const { view, findings } = buildTopology([other, plan]);
  const byPath = new Map(findings.map((f) => [f.path, f]));
  assert.equal(findings.length, 5, JSON.stringify(findings, null, 1));
  for (const f of findings) {
    assert.equal(f.rule, 'topology/conflicting-definition');
    assert.equal(f.severity, 'error');
    assert.equal(f.object, 'zz-other');
    assert.equal(f.index, 0);
  }
  const region = byPath.get('/spec/vpcs/0/region');
  assert.match(region!.message, /VPC vpc-hangzhou: region is cn-beijing in MeshTopology\/zz-other but cn-hangzhou in MeshTopology\/plan \(spec\.vpcs\[0\]\.region\)/);
  assert.match(region!.fix!, /keeping cn-hangzhou/);
  assert.match(byPath.get('/spec/vpcs/0/vSwitches/0/vpc')!.message, /vSwitch vsw-sh-1: vpc is vpc-hangzhou .* but vpc-shanghai/);
  assert.match(byPath.get('/spec/vpcs/0/vSwitches/0/zone')!.message, /zone is cn-hangzhou-j .* but cn-shanghai-e/);
  assert.ok(byPath.has('/spec/meshes/0/trustDomain'));
  assert.ok(byPath.has('/spec/zones/0/region'));
  // The first object (by name) wins.
  assert.equal(view.vpc('vpc-hangzhou')?.region, 'cn-hangzhou');
  assert.equal(view.mesh('red-mesh')?.trustDomain, 'red.local');
  assert.equal(view.regionOfZone('weird-zone'), 'cn-shanghai');
});

test('CIDR lists conflict when they differ as sets', () => {
  const a = topo('a', { clusters: [{ id: 'c', podCIDRs: ['10.0.0.0/16', 'fd00::/64'] }] });
  const b = topo('b', { clusters: [{ id: 'c', podCIDRs: ['FD00::/64', '10.0.0.0/16'] }] });
  const c = topo('c', { clusters: [{ id: 'c', podCIDRs: ['10.0.0.0/17'] }] });
  assert.deepEqual(buildTopology([a, b]).findings, []);
  const f = buildTopology([a, c]).findings;
  assert.equal(f.length, 1);
  assert.equal(f[0]?.path, '/spec/clusters/0/podCIDRs');
  assert.match(f[0]!.message, /cluster c: podCIDRs is \[10\.0\.0\.0\/17\] in MeshTopology\/c but \[10\.0\.0\.0\/16, fd00::\/64\] in MeshTopology\/a/);
});

test('duplicates inside one object are not merge conflicts; other kinds and invalid objects', () => {
  const dup = topo('dup', { vpcs: [{ id: 'v', region: 'cn-hangzhou' }, { id: 'v', region: 'cn-shanghai' }] });
  const r = buildTopology([dup, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]);
  assert.deepEqual(r.findings, []);
  assert.equal(r.view.vpc('v')?.region, 'cn-hangzhou');
  const bad = buildTopology([{ apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'bad' }, spec: { vpcs: [{ id: 1 }] } }]);
  assert.equal(bad.findings.length, 1);
  assert.equal(bad.findings[0]?.rule, 'schema/invalid');
  assert.equal(bad.findings[0]?.object, 'bad');
  assert.equal(bad.view.vpcs?.().length, 0);
});

test('conflicts say where the earlier statement was; the view keeps frozen copies of its sources', () => {
  const other = topo('zz', { vpcs: [{ id: 'vpc-hangzhou', region: 'cn-beijing' }] });
  const { view, findings } = buildTopology([plan, other]);
  assert.deepEqual(findings[0]?.other, { index: 0, object: 'plan', path: '/spec/vpcs/0/region' });
  const sources = view.sources?.() ?? [];
  assert.deepEqual(sources.map((s) => s.metadata?.name), ['plan', 'zz']);
  assert.notEqual(sources[0], plan, 'a copy, not the caller object');
  assert.throws(() => {
    (sources[0]!.metadata as { name: string }).name = 'x';
  }, TypeError);
  assert.equal(Object.isFrozen(plan), false, 'the input is left alone');
});
