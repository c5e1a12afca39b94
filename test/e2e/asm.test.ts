// Alibaba Cloud Service Mesh kinds on the real apiserver (issue 6): the product page's ASMPvlConfig is
// rejected with the zone explanation, an IstioGateway without ports is stored with seed 003's defaults,
// and with a MeshTopology in the cluster the PrivateLink rules use its facts.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from './harness/controlplane.ts';
import { installChart, startMeshguard, waitForWebhook, type Meshguard } from './harness/meshguard.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/asm/', import.meta.url));
const example = (file: string) => readFileSync(`${EXAMPLES}${file}`, 'utf8');
/** The example with a namespace set (the seeds' ASMPvlConfig names none; kubectl's default would be `default`). */
const inNamespace = (yaml: string, ns: string) => yaml.replace(/^metadata:\n/m, `metadata:\n  namespace: ${ns}\n`);

let cp: ControlPlane;
let mg: Meshguard;

before(async () => {
  cp = await startControlPlane();
  await cp.applyUpstreamCrds();
  mg = await startMeshguard(cp);
  await installChart(cp, mg);
  await cp.kubectl(['create', 'namespace', 'istio-system']);
  const probe = inNamespace(example('broken/product-page-example.yaml'), 'istio-system');
  await waitForWebhook(async () => {
    const r = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: probe, allowFail: true });
    return r.code !== 0 && r.stderr.includes('meshguard denied');
  });
}, { timeout: 60 * 60_000 });

after(async () => {
  await mg?.stop();
  await cp?.stop();
});

test("the product page's ASMPvlConfig, as written, is rejected with the zone rule and the zones to use", async () => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: inNamespace(example('broken/product-page-example.yaml'), 'istio-system'), allowFail: true });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /meshguard denied ASMPvlConfig istio-system\/default: \[asm-pvl\/zones-cross-match\] .*names zone cn-hangzhou-j and asmVpcEndpoint names zone cn-hangzhou-i: no zone in common/);
  assert.match(r.stderr, /under ackVpcEndpoint, zoneId is a zone where the ASM VPC has a vSwitch; under asmVpcEndpoint, a zone where the ACK VPC has one/);
  assert.match(r.stderr, /Fix: pick one zone where both VPCs have a vSwitch \(cn-hangzhou-j or cn-hangzhou-i\)/);
  const got = await cp.kubectl(['get', 'asmpvlconfig', 'default', '-n', 'istio-system'], { allowFail: true });
  assert.notEqual(got.code, 0, 'nothing was stored');
});

test('an IstioGateway with no ports is stored with the defaults, each announced as a warning', async () => {
  const r = await cp.kubectl(['apply', '-f', '-'], { input: example('istiogateway-defaults.yaml') });
  assert.match(r.stderr, /Warning: set spec\.ports=\[\{"name":"http","port":80/);
  assert.match(r.stderr, /Warning: set spec\.replicaCount=1: ASM's default/);
  const stored = JSON.parse((await cp.kubectl(['get', 'istiogateway', 'ingressgateway-minimal', '-n', 'istio-system', '-o', 'json'])).stdout);
  const seed = parse(example('istiogateway.yaml')) as { spec: Record<string, unknown> };
  for (const field of ['gatewayType', 'ports', 'replicaCount', 'serviceType', 'rollingMaxSurge', 'rollingMaxUnavailable']) {
    assert.deepEqual(stored.spec[field], seed.spec[field], field);
  }
  assert.equal(stored.spec.externalTrafficPolicy, 'Cluster');
  // seed 003's own gateway is stored as written: nothing to add
  const again = await cp.kubectl(['apply', '-f', '-'], { input: example('istiogateway.yaml') });
  assert.doesNotMatch(again.stderr, /meshguard|asm-gateway/);
});

test('an IstioGateway outside istio-system is rejected', async () => {
  await cp.kubectl(['create', 'namespace', 'apps']);
  const r = await cp.kubectl(['apply', '-n', 'apps', '-f', '-'], { input: example('istiogateway.yaml').replace('namespace: istio-system', 'namespace: apps'), allowFail: true });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /\[asm-gateway\/namespace-istio-system\]/);
});

test('with the MeshTopology applied, missing zoneIds are filled from it and the corrected config is stored', async () => {
  await cp.kubectl(['apply', '-f', '-'], { input: example('topology.yaml') });
  // The server's informer picks the topology up asynchronously: wait until a topology rule answers.
  await waitForWebhook(async () => {
    const r = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: inNamespace(example('broken/cluster-in-mesh.yaml'), 'istio-system'), allowFail: true });
    return r.code !== 0 && r.stderr.includes('asm-pvl/cluster-in-mesh');
  });
  const r = await cp.kubectl(['apply', '-f', '-'], { input: inNamespace(example('asmpvlconfig-zones-defaulted.yaml'), 'istio-system') });
  assert.match(r.stderr, /Warning: set spec\.ackVpcEndpoint\[0\]\.vSwitches\[0\]\.zoneId="cn-hangzhou-j": its vSwitch's zone, shared with the ASM side/);
  const stored = JSON.parse((await cp.kubectl(['get', 'asmpvlconfig', 'default', '-n', 'istio-system', '-o', 'json'])).stdout);
  assert.deepEqual(stored.spec.ackVpcEndpoint[0].vSwitches.map((v: { zoneId: string }) => v.zoneId), ['cn-hangzhou-j', 'cn-hangzhou-k']);
  assert.deepEqual(stored.spec.asmVpcEndpoint.vSwitches.map((v: { zoneId: string }) => v.zoneId), ['cn-hangzhou-j', 'cn-hangzhou-k']);
});

test('status written by ASM through the status subresource passes untouched', async () => {
  const status = { status: { clusters: [{ clusterId: 'ack-hangzhou', pvlEndpoint: { connectionStatus: 'Connected', status: 'Active' } }], status: 'Available' } };
  // kubectl fails (and the test with it) if the write is refused
  await cp.kubectl(['patch', 'asmpvlconfig', 'default', '-n', 'istio-system', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  const stored = JSON.parse((await cp.kubectl(['get', 'asmpvlconfig', 'default', '-n', 'istio-system', '-o', 'json'])).stdout);
  assert.deepEqual(stored.status, status.status);
});
