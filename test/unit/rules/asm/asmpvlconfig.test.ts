import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultContext, type RuleContext } from '../../../../src/engine/context.ts';
import { evaluate } from '../../../../src/engine/evaluate.ts';
import { applyPatch } from '../../../../src/engine/patch.ts';
import type { Finding, KObject } from '../../../../src/engine/types.ts';
import { chooseMesh } from '../../../../src/rules/asm/pvl-model.ts';
import type { AsmPvlConfig } from '../../../../src/rules/asm/schema.ts';
import { buildTopology } from '../../../../src/topology/index.ts';
import { asmRegistry, assertInvalidCase, type InvalidCase } from './helpers.ts';

const registry = asmRegistry();
const noTopo = defaultContext({ namespace: 'istio-system' });

type VSw = { vSwitchId?: string; zoneId?: string };
type Entry = { clusterId?: string; vSwitches?: VSw[] };

function pvl(ack: Entry[] | undefined, asm: VSw[] | undefined, extra: Record<string, unknown> = {}): KObject {
  const spec: Record<string, unknown> = {};
  if (ack !== undefined) spec.ackVpcEndpoint = ack;
  if (asm !== undefined) spec.asmVpcEndpoint = { vSwitches: asm };
  return { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', metadata: { name: 'default', namespace: 'istio-system' }, spec, ...extra };
}

/** The product page's example (seeds 000/002), as written there. */
function productPage(): KObject {
  return pvl(
    [{ clusterId: 'cab9ace222210457a83f09fcd42e9****', vSwitches: [{ vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50', zoneId: 'cn-hangzhou-j' }] }],
    [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-i' }],
  );
}

const good = (): KObject => pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'cn-hangzhou-j' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: 'cn-hangzhou-j' }]);

function run(obj: KObject, ctx: RuleContext = noTopo, defaults = false): Finding[] {
  const r = evaluate(registry, obj, ctx, { defaults, validate: true });
  assert.equal(r.known, true);
  return r.findings;
}

// ---------------------------------------------------------------- topology fixture

const topology = buildTopology([
  {
    apiVersion: 'meshguard.io/v1alpha1',
    kind: 'MeshTopology',
    metadata: { name: 'pvl-test' },
    spec: {
      vpcs: [
        {
          id: 'vpc-ack',
          region: 'cn-hangzhou',
          cidrs: ['20.0.0.0/8'],
          vSwitches: [
            { id: 'vsw-ackj', zone: 'cn-hangzhou-j', cidr: '20.1.0.0/16' },
            { id: 'vsw-acki', zone: 'cn-hangzhou-i', cidr: '20.2.0.0/16' },
            { id: 'vsw-ackk', zone: 'cn-hangzhou-k', cidr: '20.3.0.0/16' },
          ],
        },
        {
          id: 'vpc-asm',
          region: 'cn-hangzhou',
          cidrs: ['192.168.0.0/16'],
          vSwitches: [
            { id: 'vsw-asmj', zone: 'cn-hangzhou-j', cidr: '192.168.1.0/24' },
            { id: 'vsw-asmh', zone: 'cn-hangzhou-h', cidr: '192.168.2.0/24' },
          ],
        },
        { id: 'vpc-ack2', region: 'cn-hangzhou', cidrs: ['22.0.0.0/8'], vSwitches: [{ id: 'vsw-ack2g', zone: 'cn-hangzhou-g', cidr: '22.1.0.0/16' }] },
      ],
      clusters: [
        { id: 'c1', name: 'ack-one', region: 'cn-hangzhou', vpc: 'vpc-ack' },
        { id: 'c2', name: 'ack-two', region: 'cn-hangzhou', vpc: 'vpc-ack2' },
        { id: 'c3', name: 'ack-in-asm-vpc', region: 'cn-hangzhou', vpc: 'vpc-asm' },
        { id: 'c4', name: 'ack-elsewhere', region: 'cn-hangzhou', vpc: 'vpc-ack' },
      ],
      meshes: [{ name: 'asm-mesh', namespace: 'istio-system', vpc: 'vpc-asm', clusters: ['c1', 'ack-two', 'c3'] }],
    },
  },
]);
assert.deepEqual(topology.findings, []);
const withTopo = defaultContext({ namespace: 'istio-system', topology: topology.view });

// ---------------------------------------------------------------- valid

test('a consistent ASMPvlConfig has no error or warning, with and without a topology', () => {
  for (const ctx of [noTopo, withTopo]) {
    const r = evaluate(registry, good(), ctx, { defaults: true, validate: true });
    assert.deepEqual(r.findings.filter((f) => f.severity !== 'info'), [], JSON.stringify(r.findings));
    assert.deepEqual(r.patch, []);
  }
});

test('without a topology the topology rules are skipped with an info finding, never guessed', () => {
  const skipped = run(good()).filter((f) => f.severity === 'info').map((f) => f.rule).sort();
  assert.deepEqual(skipped, [
    'asm-pvl/cluster-in-mesh',
    'asm-pvl/cluster-in-mesh-vpc',
    'asm-pvl/real-zones-intersect',
    'asm-pvl/vswitch-exists',
    'asm-pvl/vswitch-side',
    'asm-pvl/zone-id-has-peer',
    'asm-pvl/zone-id-is-vswitch-zone',
  ]);
  assert.ok(run(good()).filter((f) => f.severity === 'info').every((f) => /MeshTopology/.test(f.message)));
});

test('two clusters, several vSwitches, all in shared zones: valid', () => {
  const obj = pvl(
    [
      { clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'cn-hangzhou-j' }] },
      { clusterId: 'ack-two', vSwitches: [{ vSwitchId: 'vsw-ack2g', zoneId: 'cn-hangzhou-g' }] },
    ],
    [{ vSwitchId: 'vsw-asmj', zoneId: 'cn-hangzhou-j' }],
  );
  // c2's VPC has no vSwitch in j: that is a real-zone error, the rest is fine
  const f = run(obj, withTopo).filter((x) => x.severity !== 'info');
  assert.deepEqual(f.map((x) => x.rule), ['asm-pvl/zones-cross-match', 'asm-pvl/real-zones-intersect']);
  assert.ok(f.every((x) => x.path.startsWith('/spec/ackVpcEndpoint/1/')));
});

// ---------------------------------------------------------------- the product page's example

test("the product page's example is rejected: the two sides name no common zone, with the rule and the zones to use", () => {
  const found = run(productPage()).filter((f) => f.rule === 'asm-pvl/zones-cross-match');
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.equal(f.severity, 'error');
  assert.equal(f.path, '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId');
  assert.match(f.message, /names zone cn-hangzhou-j and asmVpcEndpoint names zone cn-hangzhou-i: no zone in common/);
  assert.match(f.message, /under ackVpcEndpoint, zoneId is a zone where the ASM VPC has a vSwitch; under asmVpcEndpoint, a zone where the ACK VPC has one/);
  assert.match(f.fix ?? '', /cn-hangzhou-j or cn-hangzhou-i/);
  assert.match(f.fix ?? '', /zoneId: cn-hangzhou-j under ackVpcEndpoint\[0\] and under asmVpcEndpoint/);
  // its masked cluster ID is the other thing a reader copying it must change
  assert.ok(run(productPage()).some((x) => x.rule === 'asm-pvl/cluster-id-placeholder' && x.severity === 'error'));
});

// ---------------------------------------------------------------- invalid, table-driven

const j = 'cn-hangzhou-j';
const cases: InvalidCase[] = [
  { name: 'name not default', obj: { ...good(), metadata: { name: 'pvl', namespace: 'istio-system' } }, rule: 'asm-pvl/name-must-be-default', path: '/metadata/name', severity: 'error', fix: /metadata\.name: default/ },
  { name: 'ackVpcEndpoint missing', obj: pvl(undefined, [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/ack-endpoint-required', path: '/spec/ackVpcEndpoint', severity: 'error', fix: /clusterId/ },
  { name: 'ackVpcEndpoint empty', obj: pvl([], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/ack-endpoint-required', path: '/spec/ackVpcEndpoint', severity: 'error', fix: /clusterId/ },
  { name: 'clusterId missing', obj: pvl([{ vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-id-required', path: '/spec/ackVpcEndpoint/0/clusterId', severity: 'error', fix: /ACK cluster/ },
  { name: 'clusterId empty', obj: pvl([{ clusterId: '', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-id-required', path: '/spec/ackVpcEndpoint/0/clusterId', severity: 'error', fix: /ACK cluster/ },
  { name: 'clusterId template placeholder', obj: pvl([{ clusterId: '<your-ack-cluster-id>', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-id-placeholder', path: '/spec/ackVpcEndpoint/0/clusterId', severity: 'error', fix: /ACK console/ },
  { name: 'clusterId twice', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }, { clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-acki', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-id-unique', path: '/spec/ackVpcEndpoint/1/clusterId', severity: 'error', fix: /merge the vSwitches of ackVpcEndpoint\[1\] into ackVpcEndpoint\[0\]/ },
  { name: 'ACK vSwitches empty', obj: pvl([{ clusterId: 'c1', vSwitches: [] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/ack-vswitches-required', path: '/spec/ackVpcEndpoint/0/vSwitches', severity: 'error', fix: /vSwitchId: vsw-/ },
  { name: 'ACK vSwitches missing', obj: pvl([{ clusterId: 'c1' }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/ack-vswitches-required', path: '/spec/ackVpcEndpoint/0/vSwitches', severity: 'error', fix: /ASM VPC also has a vSwitch/ },
  { name: 'ASM vSwitches missing', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], undefined), rule: 'asm-pvl/asm-vswitches-required', path: '/spec/asmVpcEndpoint/vSwitches', severity: 'error', fix: /ACK VPC also has a vSwitch/ },
  { name: 'ASM vSwitches empty', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], []), rule: 'asm-pvl/asm-vswitches-required', path: '/spec/asmVpcEndpoint/vSwitches', severity: 'error', fix: /vSwitchId: vsw-/ },
  { name: 'vSwitchId is a name', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vpc-hangzhou-switch-1', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/vswitch-id-format', path: '/spec/ackVpcEndpoint/0/vSwitches/0/vSwitchId', severity: 'error', fix: /not its name/ },
  { name: 'vSwitchId missing', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ zoneId: j }]), rule: 'asm-pvl/vswitch-id-format', path: '/spec/asmVpcEndpoint/vSwitches/0/vSwitchId', severity: 'error', fix: /vsw-bp1/ },
  { name: 'vSwitchId placeholder', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: '<ack-vswitch-id>', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/vswitch-id-format', path: '/spec/ackVpcEndpoint/0/vSwitches/0/vSwitchId', severity: 'error', fix: /vsw-/ },
  { name: 'zoneId missing', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/zone-id-required', path: '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId', severity: 'error', fix: /zone of vsw-ackj, which must also be a zone where the ASM VPC has a vSwitch/ },
  { name: 'zoneId is a region', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: 'cn-hangzhou' }]), rule: 'asm-pvl/zone-id-format', path: '/spec/asmVpcEndpoint/vSwitches/0/zoneId', severity: 'error', fix: /cn-hangzhou-j/ },
  { name: 'zoneId without region', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'hangzhou-j' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/zone-id-format', path: '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId', severity: 'error', fix: /VPC console/ },
  { name: 'vSwitch twice on one side', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }, { vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/vswitch-listed-twice', path: '/spec/ackVpcEndpoint/0/vSwitches/1/vSwitchId', severity: 'error', fix: /remove spec\.ackVpcEndpoint\[0\]\.vSwitches\[1\]/ },
  { name: 'vSwitch on both sides', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-ackj', zoneId: j }]), rule: 'asm-pvl/vswitch-listed-twice', path: '/spec/asmVpcEndpoint/vSwitches/0/vSwitchId', severity: 'error', fix: /one VPC only/ },
  { name: 'vSwitch under two clusters', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }, { clusterId: 'c4', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/vswitch-listed-twice', path: '/spec/ackVpcEndpoint/1/vSwitches/0/vSwitchId', severity: 'error', fix: /remove/ },
  { name: 'zones in two regions', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'cn-shanghai-e' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/single-region', path: '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId', severity: 'error', fix: /use a zone of cn-hangzhou.*CEN/, message: /region cn-shanghai, but spec\.asmVpcEndpoint\.vSwitches\[0\] is in cn-hangzhou/ },
  { name: 'zones in two regions (digit form)', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'ap-southeast-1a' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: 'ap-southeast-2b' }]), rule: 'asm-pvl/single-region', path: '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId', severity: 'error', fix: /ap-southeast-2/ },
  { name: 'no common declared zone', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'cn-hangzhou-k' }, { vSwitchId: 'vsw-acki', zoneId: 'cn-hangzhou-i' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/zones-cross-match', path: '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId', severity: 'error', fix: /cn-hangzhou-k, cn-hangzhou-i or cn-hangzhou-j/, message: /names zones cn-hangzhou-k, cn-hangzhou-i and asmVpcEndpoint names zone cn-hangzhou-j/ },
  { name: 'ACK zone named on one side only', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }, { vSwitchId: 'vsw-ackk', zoneId: 'cn-hangzhou-k' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/zone-unmatched', path: '/spec/ackVpcEndpoint/0/vSwitches/1/zoneId', severity: 'warning', fix: /cn-hangzhou-j/ },
  { name: 'ASM zone named on one side only', obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }, { vSwitchId: 'vsw-asmh', zoneId: 'cn-hangzhou-h' }]), rule: 'asm-pvl/zone-unmatched', path: '/spec/asmVpcEndpoint/vSwitches/1/zoneId', severity: 'warning', fix: /cn-hangzhou-j/ },
  // ---- with the topology
  { name: 'unknown vSwitch', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-nothere', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/vswitch-exists', path: '/spec/ackVpcEndpoint/0/vSwitches/0/vSwitchId', severity: 'error', fix: /add the vSwitch/ },
  { name: 'ASM vSwitch on the ACK side', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-asmj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmh', zoneId: 'cn-hangzhou-h' }]), rule: 'asm-pvl/vswitch-side', path: '/spec/ackVpcEndpoint/0/vSwitches/0/vSwitchId', severity: 'error', fix: /move it to spec\.asmVpcEndpoint\.vSwitches/, message: /wrong side/ },
  { name: 'ACK vSwitch on the ASM side', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-acki', zoneId: j }]), rule: 'asm-pvl/vswitch-side', path: '/spec/asmVpcEndpoint/vSwitches/0/vSwitchId', severity: 'error', fix: /move it under the ackVpcEndpoint entry of cluster c1/, message: /wrong side/ },
  { name: "another cluster's vSwitch", ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ack2g', zoneId: 'cn-hangzhou-g' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/vswitch-side', path: '/spec/ackVpcEndpoint/0/vSwitches/0/vSwitchId', severity: 'error', fix: /vsw-ackj, vsw-acki, vsw-ackk/, message: /VPC vpc-ack2, not in cluster c1's VPC vpc-ack/ },
  { name: 'declared ACK zone where the ASM side has no vSwitch', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }, { vSwitchId: 'vsw-acki', zoneId: 'cn-hangzhou-i' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }, { vSwitchId: 'vsw-asmh', zoneId: 'cn-hangzhou-i' }]), rule: 'asm-pvl/zone-id-has-peer', path: '/spec/ackVpcEndpoint/0/vSwitches/1/zoneId', severity: 'error', fix: /zoneId: cn-hangzhou-j/, message: /ASM side's vSwitches are in cn-hangzhou-j, cn-hangzhou-h only/ },
  { name: 'zoneId is not the zone of its vSwitch', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }, { vSwitchId: 'vsw-acki', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/zone-id-is-vswitch-zone', path: '/spec/ackVpcEndpoint/0/vSwitches/1/zoneId', severity: 'warning', fix: /zoneId: cn-hangzhou-i/ },
  { name: 'real zones do not intersect (declared ones lie)', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-acki', zoneId: j }] }], [{ vSwitchId: 'vsw-asmh', zoneId: j }]), rule: 'asm-pvl/real-zones-intersect', path: '/spec/ackVpcEndpoint/0/vSwitches', severity: 'error', fix: /cn-hangzhou-j \(ACK vsw-ackj, ASM vsw-asmj\)/, message: /in cn-hangzhou-i and the ASM side's in cn-hangzhou-h/ },
  { name: 'real zones do not intersect, and no VPC zone would', ctx: withTopo, obj: pvl([{ clusterId: 'c2', vSwitches: [{ vSwitchId: 'vsw-ack2g', zoneId: 'cn-hangzhou-g' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: 'cn-hangzhou-g' }]), rule: 'asm-pvl/real-zones-intersect', path: '/spec/ackVpcEndpoint/0/vSwitches', severity: 'error', fix: /no zone has vSwitches in both vpc-ack2 and vpc-asm: create a vSwitch in cn-hangzhou-g or cn-hangzhou-j/ },
  { name: 'cluster not in the mesh', ctx: withTopo, obj: pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }, { clusterId: 'c4', vSwitches: [{ vSwitchId: 'vsw-ackk', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-in-mesh', path: '/spec/ackVpcEndpoint/1/clusterId', severity: 'error', fix: /add the cluster to the ASM instance first/, message: /not a member of mesh asm-mesh \(chosen because it lists cluster c1\)/ },
  { name: 'cluster not in the topology', ctx: withTopo, obj: pvl([{ clusterId: 'c9', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-in-mesh', path: '/spec/ackVpcEndpoint/0/clusterId', severity: 'error', fix: /add the cluster/, message: /not in the MeshTopology/ },
  { name: 'cluster in no mesh at all', ctx: withTopo, obj: pvl([{ clusterId: 'c4', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), rule: 'asm-pvl/cluster-in-mesh', path: '/spec/ackVpcEndpoint/0/clusterId', severity: 'error', fix: /meshes\[asm-mesh\]\.clusters/, message: /chosen because its namespace is istio-system/ },
  { name: "cluster in the mesh's own VPC", ctx: withTopo, obj: pvl([{ clusterId: 'c3', vSwitches: [{ vSwitchId: 'vsw-asmh', zoneId: 'cn-hangzhou-h' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: 'cn-hangzhou-h' }]), rule: 'asm-pvl/cluster-in-mesh-vpc', path: '/spec/ackVpcEndpoint/0/clusterId', severity: 'warning', fix: /remove ackVpcEndpoint\[0\]/ },
];

for (const c of cases) {
  test(`ASMPvlConfig invalid: ${c.name} → ${c.rule}`, () => assertInvalidCase(run(c.obj, c.ctx), c));
}

test('a mesh member listed by name counts as a member', () => {
  const obj = pvl([{ clusterId: 'c2', vSwitches: [{ vSwitchId: 'vsw-ack2g', zoneId: 'cn-hangzhou-g' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: 'cn-hangzhou-g' }]);
  assert.ok(!run(obj, withTopo).some((f) => f.rule === 'asm-pvl/cluster-in-mesh'));
});

test('zone rules stay quiet where another rule already explains the mismatch', () => {
  // declared zones disjoint: only zones-cross-match, not a zone-unmatched warning per zone
  const f = run(productPage());
  assert.ok(!f.some((x) => x.rule === 'asm-pvl/zone-unmatched'));
  // real zones disjoint: only real-zones-intersect, not zone-id-has-peer per zone
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-acki', zoneId: j }] }], [{ vSwitchId: 'vsw-asmh', zoneId: j }]);
  const g = run(obj, withTopo);
  assert.ok(g.some((x) => x.rule === 'asm-pvl/real-zones-intersect'));
  assert.ok(!g.some((x) => x.rule === 'asm-pvl/zone-id-has-peer'));
});

test('a stated zone region in the topology wins over the naming convention for single-region', () => {
  const t = buildTopology([
    { apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'z' }, spec: { zones: [{ id: 'cn-hangzhou-z', region: 'cn-shanghai' }] } },
  ]);
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: 'cn-hangzhou-z' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]);
  assert.ok(!run(obj).some((f) => f.rule === 'asm-pvl/single-region'));
  assert.ok(run(obj, defaultContext({ namespace: 'istio-system', topology: t.view })).some((f) => f.rule === 'asm-pvl/single-region' && /cn-shanghai/.test(f.message)));
});

// ---------------------------------------------------------------- mesh choice

test('the mesh is chosen by membership, then namespace, then the ASM-side VPC, and ambiguity is said', () => {
  const t = buildTopology([
    {
      apiVersion: 'meshguard.io/v1alpha1',
      kind: 'MeshTopology',
      metadata: { name: 'm' },
      spec: {
        vpcs: [
          { id: 'vpc-a', region: 'cn-hangzhou', vSwitches: [{ id: 'vsw-a1', zone: 'cn-hangzhou-j' }] },
          { id: 'vpc-b', region: 'cn-hangzhou', vSwitches: [{ id: 'vsw-b1', zone: 'cn-hangzhou-j' }] },
        ],
        clusters: [{ id: 'k1' }, { id: 'k2' }],
        meshes: [
          { name: 'ma', namespace: 'ns-a', vpc: 'vpc-a', clusters: ['k1', 'k2'] },
          { name: 'mb', namespace: 'ns-b', vpc: 'vpc-b', clusters: ['k2'] },
        ],
      },
    },
  ]).view;
  const cfg = (cluster: string, asmVsw: string, ns: string) => pvl([{ clusterId: cluster, vSwitches: [{ vSwitchId: 'vsw-x', zoneId: j }] }], [{ vSwitchId: asmVsw, zoneId: j }], { metadata: { name: 'default', namespace: ns } }) as unknown as AsmPvlConfig;
  const ctx = defaultContext({ topology: t });
  assert.equal(chooseMesh(cfg('k1', 'vsw-b1', 'other'), ctx, t).mesh?.name, 'ma'); // membership beats VPC
  assert.equal(chooseMesh(cfg('k2', 'vsw-a1', 'ns-b'), ctx, t).mesh?.name, 'mb'); // both list k2: namespace decides
  assert.equal(chooseMesh(cfg('k2', 'vsw-b1', 'other'), ctx, t).mesh?.name, 'mb'); // then the ASM-side VPC
  const amb = chooseMesh(cfg('k2', 'vsw-zz', 'other'), ctx, t);
  assert.equal(amb.mesh, undefined);
  assert.deepEqual(amb.candidates.map((m) => m.name).sort(), ['ma', 'mb']);
  assert.equal(chooseMesh(cfg('k9', 'vsw-b1', 'other'), ctx, t).mesh?.name, 'mb'); // no member: VPC
  assert.equal(chooseMesh(cfg('k9', 'vsw-zz', 'ns-a'), ctx, t).mesh?.name, 'ma'); // no member: namespace
  const f = run(cfg('k2', 'vsw-zz', 'other') as unknown as KObject, ctx).find((x) => x.rule === 'asm-pvl/cluster-in-mesh');
  assert.match(f?.message ?? '', /cannot tell which mesh.*ma, mb/);
});

// ---------------------------------------------------------------- defaulting

test('with a topology, missing zoneIds are filled with the common zone, reported, and a second pass adds nothing', () => {
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj' }, { vSwitchId: 'vsw-ackk', zoneId: j }] }], [{ vSwitchId: 'vsw-asmj' }]);
  const r = evaluate(registry, obj, withTopo, { defaults: true, validate: true });
  assert.deepEqual(
    r.patch.map((op) => [op.op, op.path, op.value]).sort(),
    [
      ['add', '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId', j],
      ['add', '/spec/asmVpcEndpoint/vSwitches/0/zoneId', j],
    ],
  );
  const warned = r.findings.filter((f) => f.rule === 'asm-pvl/default-zone-id');
  assert.equal(warned.length, 2);
  assert.ok(warned.every((f) => f.severity === 'warning'));
  assert.ok(warned.some((f) => f.path === '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId' && /zoneId="cn-hangzhou-j": its vSwitch's zone, shared with the ASM side/.test(f.message)));
  assert.match(warned.find((f) => f.path.startsWith('/spec/asm'))?.message ?? '', /zoneId="cn-hangzhou-j": its vSwitch's zone, shared with the ACK side/);
  assert.ok(!r.findings.some((f) => f.rule === 'asm-pvl/zone-id-required'));
  const stored = applyPatch(obj, r.patch);
  assert.deepEqual(evaluate(registry, stored, withTopo, { defaults: true, validate: true }).patch, []);
});

test('no zoneId is invented where the sides share no zone, and a written zoneId is never replaced', () => {
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-acki' }, { vSwitchId: 'vsw-ackj', zoneId: 'cn-hangzhou-k' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]);
  const r = evaluate(registry, obj, withTopo, { defaults: true, validate: true });
  assert.deepEqual(r.patch, []);
  assert.ok(r.findings.some((f) => f.rule === 'asm-pvl/zone-id-required' && f.path === '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId'));
  assert.ok(r.findings.some((f) => f.rule === 'asm-pvl/zone-id-is-vswitch-zone' && f.path === '/spec/ackVpcEndpoint/0/vSwitches/1/zoneId'));
});

test('without a topology nothing is defaulted (and the defaulter says why it was skipped)', () => {
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj' }] }], [{ vSwitchId: 'vsw-asmj' }]);
  const r = evaluate(registry, obj, noTopo, { defaults: true, validate: true });
  assert.deepEqual(r.patch, []);
  assert.ok(r.findings.some((f) => f.rule === 'asm-pvl/default-zone-id' && f.severity === 'info'));
});

// ---------------------------------------------------------------- status belongs to ASM

test('status is never read, checked or patched (it is written by ASM)', () => {
  const obj = { ...good(), status: { clusters: [{ clusterId: 'whatever****', pvlEndpoint: { connectionStatus: 'Broken', id: 42 } }], status: 'Failed', pilot: 'not-an-object' } };
  const r = evaluate(registry, obj, withTopo, { defaults: true, validate: true });
  assert.deepEqual(r.findings.filter((f) => f.severity !== 'info'), []);
  assert.ok(r.findings.every((f) => !f.path.startsWith('/status')));
  const missing: KObject = { ...obj, spec: { ...(good().spec as object), asmVpcEndpoint: { vSwitches: [{ vSwitchId: 'vsw-asmj' }] } } };
  const d = evaluate(registry, missing, withTopo, { defaults: true, validate: true });
  assert.ok(d.patch.length > 0 && d.patch.every((op) => op.path.startsWith('/spec/')));
  assert.deepEqual((applyPatch(missing, d.patch) as typeof obj).status, obj.status);
});

test('unknown spec fields survive defaulting', () => {
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', futureField: 1 } as VSw] , futureEntryField: 'x' } as Entry], [{ vSwitchId: 'vsw-asmj' }], { futureTop: { a: 1 } });
  const r = evaluate(registry, obj, withTopo, { defaults: true, validate: true });
  const stored = applyPatch(obj, r.patch) as { spec: { ackVpcEndpoint: Array<Record<string, unknown> & { vSwitches: Array<Record<string, unknown>> }> }; futureTop: unknown };
  assert.equal(stored.spec.ackVpcEndpoint[0]!.futureEntryField, 'x');
  assert.equal(stored.spec.ackVpcEndpoint[0]!.vSwitches[0]!.futureField, 1);
  assert.equal(stored.spec.ackVpcEndpoint[0]!.vSwitches[0]!.zoneId, j);
  assert.deepEqual(stored.futureTop, { a: 1 });
});

test('an unknown vSwitch is reported once and does not cascade into zone findings', () => {
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }, { vSwitchId: 'vsw-typo', zoneId: 'cn-hangzhou-k' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }, { vSwitchId: 'vsw-asmk', zoneId: 'cn-hangzhou-k' }]);
  // vsw-asmk is not in the fixture either: two vswitch-exists findings, nothing else
  const f = run(obj, withTopo).filter((x) => x.severity !== 'info');
  assert.deepEqual(f.map((x) => [x.rule, x.path]), [
    ['asm-pvl/vswitch-exists', '/spec/ackVpcEndpoint/0/vSwitches/1/vSwitchId'],
    ['asm-pvl/vswitch-exists', '/spec/asmVpcEndpoint/vSwitches/1/vSwitchId'],
  ]);
  // a side made only of unknown vSwitches leaves the real-zone rules silent (the declared-zone rules speak)
  const g = run(pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-typo', zoneId: 'cn-hangzhou-k' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]), withTopo);
  assert.deepEqual(g.filter((x) => x.severity !== 'info').map((x) => x.rule).sort(), ['asm-pvl/vswitch-exists', 'asm-pvl/zones-cross-match']);
});

test('a cluster whose zones are all in another region gets single-region only, not zone advice of the wrong region', () => {
  const obj = pvl([{ clusterId: 'c1', vSwitches: [{ vSwitchId: 'vsw-ackj', zoneId: j }] }, { clusterId: 'c2', vSwitches: [{ vSwitchId: 'vsw-x', zoneId: 'cn-shanghai-e' }] }], [{ vSwitchId: 'vsw-asmj', zoneId: j }]);
  const f = run(obj).filter((x) => x.severity !== 'info');
  assert.deepEqual(f.map((x) => [x.rule, x.path]), [['asm-pvl/single-region', '/spec/ackVpcEndpoint/1/vSwitches/0/zoneId']]);
});
