// Each rule family against the real apiserver and the real CRDs: what the webhook stores must pass the
// CRD schema (nothing pruned), and what it rejects must say why in kubectl's output.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startControlPlane, type ControlPlane } from './harness/controlplane.ts';
import { installChart, startMeshguard, waitForWebhook, type Meshguard } from './harness/meshguard.ts';

const example = (p: string) => readFileSync(new URL(`../../examples/${p}`, import.meta.url), 'utf8');

let cp: ControlPlane;
let mg: Meshguard;

const apply = (yaml: string, ns?: string) => cp.kubectl(['apply', ...(ns ? ['-n', ns] : []), '-f', '-'], { input: yaml, allowFail: true });
const getJson = async (kind: string, name: string, ns?: string) => JSON.parse((await cp.kubectl(['get', kind, name, ...(ns ? ['-n', ns] : []), '-o', 'json'])).stdout);

before(async () => {
  cp = await startControlPlane();
  await cp.applyUpstreamCrds();
  mg = await startMeshguard(cp);
  await installChart(cp, mg);
  for (const ns of ['istio-system', 'red-mesh-system', 'green-mesh-system', 'reviews']) await cp.kubectl(['create', 'namespace', ns]);
  await waitForWebhook(async () => (await apply(example('asm/broken/name-must-be-default.yaml'), 'istio-system')).stderr.includes('meshguard denied'));
}, { timeout: 60 * 60_000 });

after(async () => {
  await mg?.stop();
  await cp?.stop();
});

describe('MeshTopology', () => {
  test('an overlapping MeshTopology is rejected with both objects and both ranges named', async () => {
    const r = await apply(example('topology/broken/cidr-overlap.yaml'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\[topology\/cidr-overlap\]/);
    assert.match(r.stderr, /172\.16\.0\.0\/12/);
    assert.match(r.stderr, /172\.16\.0\.0\/16/);
    assert.match(r.stderr, /ack-hangzhou/);
    assert.match(r.stderr, /ack-shanghai/);
  });

  test("seed 003's plan is accepted and becomes the server's topology", async () => {
    const r = await apply(example('topology/seed-003-plan.yaml'));
    assert.equal(r.code, 0, r.stderr);
    await waitForWebhook(async () => mg.logs().some((l) => l.event === 'topology.updated' && Number(l.objects) >= 1));
  });
});

describe('ASM', () => {
  test("the product page's ASMPvlConfig, as written, is rejected with the zone explanation", async () => {
    const r = await apply(example('asm/broken/product-page-example.yaml'), 'istio-system');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\[asm-pvl\/zones-cross-match\]/);
    assert.match(r.stderr, /cn-hangzhou-j/);
    assert.match(r.stderr, /cn-hangzhou-i/);
  });

  test('an IstioGateway with no ports is stored with seed 003 defaults', async () => {
    const r = await apply(example('asm/istiogateway-defaults.yaml'));
    assert.equal(r.code, 0, r.stderr);
    const gw = await getJson('istiogateway', 'ingressgateway-minimal', 'istio-system');
    assert.deepEqual(
      gw.spec.ports.map((p: { name: string; port: number; targetPort: number; protocol: string }) => [p.name, p.port, p.targetPort, p.protocol]),
      [['http', 80, 80, 'TCP'], ['https', 443, 443, 'TCP']],
    );
    assert.equal(gw.spec.replicaCount, 1);
    assert.equal(gw.spec.serviceType, 'LoadBalancer');
    assert.equal(gw.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(gw.spec.gatewayType, 'ingress');
    assert.equal(gw.spec.rollingMaxSurge, '100%');
    assert.equal(gw.spec.rollingMaxUnavailable, '25%');
  });
});

describe('Maistra federation', () => {
  test('a ServiceMeshPeer without ports or security is stored with every default of seed 004', async () => {
    const r = await apply(`
apiVersion: federation.maistra.io/v1
kind: ServiceMeshPeer
metadata: {name: green-mesh, namespace: red-mesh-system}
spec:
  remote:
    addresses: [ingress-red-mesh.green-mesh-system.apps.domain.com]
`);
    assert.equal(r.code, 0, r.stderr);
    const p = await getJson('servicemeshpeer', 'green-mesh', 'red-mesh-system');
    assert.equal(p.spec.remote.discoveryPort, 8188);
    assert.equal(p.spec.remote.servicePort, 15443);
    assert.equal(p.spec.security.trustDomain, 'green-mesh.local');
    assert.deepEqual(p.spec.security.certificateChain, { kind: 'ConfigMap', name: 'green-mesh-ca-root-cert' });
    assert.equal(p.spec.gateways.ingress.name, 'ingress-green-mesh');
    assert.equal(p.spec.gateways.egress.name, 'egress-green-mesh');
    assert.equal(p.spec.security.clientID, 'green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account');
  });

  test('a clientID whose trust domain differs from spec.security.trustDomain is rejected', async () => {
    const r = await apply(`
apiVersion: federation.maistra.io/v1
kind: ServiceMeshPeer
metadata: {name: red-mesh, namespace: green-mesh-system}
spec:
  remote: {addresses: [ingress-green-mesh.red-mesh-system.apps.domain.com]}
  security:
    trustDomain: red-mesh.local
    clientID: cluster.local/ns/red-mesh-system/sa/egress-green-mesh-service-account
`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\[federation\/client-id-trust-domain\]/);
    assert.match(r.stderr, /spec\.security\.clientID/);
  });
});

describe('Istio', () => {
  test('a failover DestinationRule without outlierDetection is stored with it injected and passes the Istio CRD schema', async () => {
    const dr = example('istio/broken/failover-needs-outlier-detection.yaml').replace('namespace: default', 'namespace: reviews');
    const r = await apply(dr);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /outlierDetection/);
    const stored = await getJson('destinationrule', 'reviews', 'reviews');
    assert.deepEqual(stored.spec.trafficPolicy.outlierDetection, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '1m' });
    assert.equal(stored.spec.trafficPolicy.loadBalancer.localityLbSetting.failover.length, 2);
  });
});
