// Smoke test of the e2e harness itself: the control plane is real (stamped
// version, upstream CRD schemas enforced) and both helm majors run against it.
// The first run on a machine builds the binaries (see test/controlplane/README.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { startControlPlane } from './harness/controlplane.ts';
import type { ControlPlane } from './harness/controlplane.ts';

let cp: ControlPlane;

before(async () => {
  cp = await startControlPlane();
}, { timeout: 90 * 60_000 }); // a cold provision compiles kube-apiserver & co.

after(async () => {
  await cp?.stop();
});

test('kubectl and the apiserver report the stamped Kubernetes version', async () => {
  const { stdout } = await cp.kubectl(['version', '-o', 'json']);
  const v = JSON.parse(stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string; minor: string } };
  assert.equal(v.serverVersion.gitVersion, cp.versions.k8s);
  assert.equal(v.clientVersion.gitVersion, cp.versions.k8s);
  assert.equal(v.serverVersion.minor, cp.versions.k8s.split('.')[1]);
});

test('upstream and local CRDs apply and become Established', { timeout: 5 * 60_000 }, async () => {
  const names = await cp.applyUpstreamCrds();
  for (const crd of [
    'destinationrules.networking.istio.io',
    'gateways.networking.istio.io',
    'istiooperators.install.istio.io',
    'servicemeshpeers.federation.maistra.io',
    'exportedservicesets.federation.maistra.io',
    'importedservicesets.federation.maistra.io',
    'asmpvlconfigs.istio.alibabacloud.com',
    'istiogateways.istio.alibabacloud.com',
    'certificates.cert-manager.io',
    'policyreports.wgpolicyk8s.io',
    'clusterpolicyreports.wgpolicyk8s.io',
  ]) {
    assert.ok(names.includes(crd), `${crd} missing from applied CRDs: ${names.join(', ')}`);
  }
});

test('a DestinationRule is validated against the real Istio schema', async () => {
  await cp.kubectl(['create', 'namespace', 'mesh-e2e']);
  const dr = (lb: string): string => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: mesh-e2e}
spec:
  host: reviews.mesh-e2e.svc.cluster.local
  trafficPolicy:
    loadBalancer: {simple: ${lb}}
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
`;
  await cp.kubectl(['apply', '-f', '-'], { input: dr('ROUND_ROBIN') });
  const got = await cp.kubectl(['get', 'destinationrule', 'reviews', '-n', 'mesh-e2e', '-o', 'jsonpath={.spec.trafficPolicy.loadBalancer.simple}']);
  assert.equal(got.stdout, 'ROUND_ROBIN');

  // The schema's enum must reject what Istio would reject: proof it is not a stub.
  const bad = await cp.kubectl(['apply', '-f', '-'], { input: dr('NOT_A_POLICY'), allowFail: true });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /loadBalancer\.simple|Unsupported value/);
});

test('local CRDs accept documented objects (ASM IstioGateway, Maistra ServiceMeshPeer)', async () => {
  await cp.kubectl(['apply', '-f', '-'], { input: `
apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: mesh-e2e}
spec:
  gatewayType: ingress
  serviceType: LoadBalancer
  replicaCount: 1
  ports: [{name: http, port: 80, protocol: TCP, targetPort: 80}]
  rollingMaxSurge: 100%
  rollingMaxUnavailable: 25%
  podLabels: {kept: "yes"}
---
apiVersion: federation.maistra.io/v1
kind: ServiceMeshPeer
metadata: {name: west, namespace: mesh-e2e}
spec:
  remote: {addresses: [west-mesh-ingress.west-mesh-system.svc.cluster.local], discoveryPort: 8188, servicePort: 15443}
  gateways: {ingress: {name: east-mesh-ingress}, egress: {name: east-mesh-egress}}
  security: {trustDomain: west-mesh.local, clientID: west-mesh.local/ns/west-mesh-system/sa/east-mesh-egress-service-account, certificateChain: {kind: ConfigMap, name: west-mesh-ca-root-cert}}
` });
  const kept = await cp.kubectl(['get', 'istiogateway', 'ingressgateway', '-n', 'mesh-e2e', '-o', 'jsonpath={.spec.podLabels.kept}']);
  assert.equal(kept.stdout, 'yes', 'unknown IstioGateway spec fields must not be pruned');
});

test('helm v3 and v4 report their versions', async () => {
  const h3 = await cp.helm(['version', '--template', '{{.Version}}']);
  assert.equal(h3.stdout.trim(), cp.versions.helm3);
  const h4 = await cp.helm4(['version', '--template', '{{.Version}}']);
  assert.equal(h4.stdout.trim(), cp.versions.helm4);
});

test('helm v3 and v4 install against the cluster and see its real version', async () => {
  // A chart whose kubeVersion constraint only a real v1.37+ server satisfies.
  const chart = join(cp.tmpDir, 'probe-chart');
  await mkdir(join(chart, 'templates'), { recursive: true });
  await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\nkubeVersion: ">=1.37.0-0"\n');
  await writeFile(join(chart, 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}-probe"}\ndata: {kube: "{{ .Capabilities.KubeVersion.Version }}"}\n');
  await cp.kubectl(['create', 'namespace', 'helm-e2e']);
  for (const [helm, release] of [[cp.helm, 'h3'], [cp.helm4, 'h4']] as const) {
    await helm(['install', release, chart, '-n', 'helm-e2e']);
    const got = await cp.kubectl(['get', 'configmap', `${release}-probe`, '-n', 'helm-e2e', '-o', 'jsonpath={.data.kube}']);
    assert.equal(got.stdout, cp.versions.k8s, `${release}: Capabilities.KubeVersion`);
  }
});

test('the apiserver calls an admission webhook on https://127.0.0.1', { timeout: 60_000 }, async () => {
  const srv = createServer({ cert: readFileSync(cp.webhookTls.certFile), key: readFileSync(cp.webhookTls.keyFile) }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      const review = JSON.parse(body) as { request: { uid: string } };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
        response: { uid: review.request.uid, allowed: false, status: { code: 403, message: 'denied by e2e webhook' } },
      }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    await cp.kubectl(['create', 'namespace', 'webhook-e2e']);
    await cp.kubectl(['label', 'namespace', 'webhook-e2e', 'e2e-webhook=on']);
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'e2e-deny' },
      webhooks: [{
        name: 'deny.e2e.meshguard.io', sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail',
        clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: readFileSync(cp.caFile).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
        namespaceSelector: { matchLabels: { 'e2e-webhook': 'on' } },
      }],
    }) });
    // The apiserver picks up webhook configurations asynchronously.
    let last = '';
    for (let i = 0; i < 40; i++) {
      const r = await cp.kubectl(['create', 'configmap', `c${i}`, '-n', 'webhook-e2e'], { allowFail: true });
      last = r.stderr;
      if (r.code !== 0 && /denied by e2e webhook/.test(r.stderr)) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.match(last, /denied by e2e webhook/);
    await cp.kubectl(['delete', 'validatingwebhookconfiguration', 'e2e-deny']);
  } finally {
    srv.close();
  }
});
