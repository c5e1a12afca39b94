// The webhook for real: kube-apiserver calls `meshguard serve` over TLS through the chart's webhook
// configurations; kubectl and helm are the real binaries.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './harness/controlplane.ts';
import { CHART, installChart, startMeshguard, waitForWebhook, type Meshguard } from './harness/meshguard.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const pvl = (ns: string, name = 'pvl') => `
apiVersion: istio.alibabacloud.com/v1beta1
kind: ASMPvlConfig
metadata: {name: ${name}, namespace: ${ns}}
spec:
  ackVpcEndpoint:
  - clusterId: c-ack-hz
    vSwitches: [{vSwitchId: vsw-bp1jsgsanpvxpj32yai50, zoneId: cn-hangzhou-i}]
  asmVpcEndpoint:
    vSwitches: [{vSwitchId: vsw-bp1l5hini55sstnwd2skf, zoneId: cn-hangzhou-i}]
`;

const peer = (name: string, ns: string) => `
apiVersion: federation.maistra.io/v1
kind: ServiceMeshPeer
metadata: {name: ${name}, namespace: ${ns}}
spec:
  remote:
    addresses: [ingress-red-mesh.${name}-system.apps.domain.com]
`;

let cp: ControlPlane;
let mg: Meshguard;

before(async () => {
  cp = await startControlPlane();
  await cp.applyUpstreamCrds();
  mg = await startMeshguard(cp);
  await installChart(cp, mg);
  for (const ns of ['istio-system', 'red-mesh-system', 'audited', 'warned']) await cp.kubectl(['create', 'namespace', ns]);
  await cp.kubectl(['label', 'namespace', 'audited', 'meshguard.io/mode=audit']);
  await cp.kubectl(['label', 'namespace', 'warned', 'meshguard.io/mode=warn']);
  await waitForWebhook(async () => {
    const r = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: pvl('istio-system'), allowFail: true });
    return r.code !== 0 && r.stderr.includes('meshguard denied');
  });
}, { timeout: 60 * 60_000 });

after(async () => {
  await mg?.stop();
  await cp?.stop();
});

describe('enforce (the default mode)', () => {
  test('kubectl apply of a misconfigured ASMPvlConfig is rejected with the rule, the field path and the fix', async () => {
    const r = await cp.kubectl(['apply', '-f', '-'], { input: pvl('istio-system'), allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /admission webhook "[^"]*meshguard[^"]*" denied the request: meshguard denied ASMPvlConfig istio-system\/pvl: \[asm-pvl\/name-must-be-default\] .* at metadata\.name\. Fix: set metadata\.name: default/);
    const got = await cp.kubectl(['get', 'asmpvlconfig', 'pvl', '-n', 'istio-system'], { allowFail: true });
    assert.notEqual(got.code, 0, 'nothing was stored');
  });

  test('a ServiceMeshPeer without ports is stored with 8188/15443, everything the CRD schema keeps', async () => {
    const r = await cp.kubectl(['apply', '-f', '-'], { input: peer('green-mesh', 'red-mesh-system') });
    assert.match(r.stderr, /set spec\.remote\.discoveryPort=8188/);
    const stored = JSON.parse((await cp.kubectl(['get', 'servicemeshpeer', 'green-mesh', '-n', 'red-mesh-system', '-o', 'json'])).stdout);
    assert.equal(stored.spec.remote.discoveryPort, 8188);
    assert.equal(stored.spec.remote.servicePort, 15443);
    // Nothing the webhook added was pruned by the real CRD schema: stored spec == `meshguard defaults` output.
    const cli = spawnSync(process.execPath, [MAIN, 'defaults', '-'], { input: peer('green-mesh', 'red-mesh-system'), encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const { parse } = await import('yaml');
    assert.deepEqual(stored.spec, parse(cli.stdout).spec);
  });

  test('applying the same manifest again changes nothing (same resourceVersion)', async () => {
    const rv = async () => (await cp.kubectl(['get', 'servicemeshpeer', 'green-mesh', '-n', 'red-mesh-system', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
    const before = await rv();
    const r = await cp.kubectl(['apply', '-f', '-'], { input: peer('green-mesh', 'red-mesh-system') });
    assert.match(r.stdout, /unchanged/);
    assert.equal(await rv(), before);
  });

  test('--dry-run=server gets the same verdict and stores nothing', async () => {
    const bad = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: pvl('istio-system'), allowFail: true });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /\[asm-pvl\/name-must-be-default\]/);
    const good = await cp.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: peer('blue-mesh', 'red-mesh-system') });
    assert.equal(JSON.parse(good.stdout).spec.remote.discoveryPort, 8188, 'the dry run shows the mutated object');
    const got = await cp.kubectl(['get', 'servicemeshpeer', 'blue-mesh', '-n', 'red-mesh-system'], { allowFail: true });
    assert.notEqual(got.code, 0);
    assert.ok(mg.logs().some((l) => l.event === 'admission.decision' && l.dryRun === true));
  });
});

describe('per-namespace modes and exclusions', () => {
  test('a namespace labelled meshguard.io/mode=audit admits the object and kubectl prints the warning', async () => {
    const r = await cp.kubectl(['apply', '-f', '-'], { input: pvl('audited') });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Warning: \[asm-pvl\/name-must-be-default\]/);
    assert.ok(mg.logs().some((l) => l.event === 'admission.decision' && l.namespace === 'audited' && l.mode === 'audit' && l.allowed === true));
  });

  test('a namespace labelled meshguard.io/mode=warn admits with the warning', async () => {
    const r = await cp.kubectl(['apply', '-f', '-'], { input: pvl('warned') });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Warning: \[asm-pvl\/name-must-be-default\]/);
  });

  test('kube-system, the release namespace and opted-out namespaces are never sent to the webhook', async () => {
    await cp.kubectl(['create', 'namespace', 'opted-out']);
    await cp.kubectl(['label', 'namespace', 'opted-out', 'meshguard.io/ignore=true']);
    for (const ns of ['kube-system', 'meshguard', 'opted-out']) {
      const r = await cp.kubectl(['apply', '-f', '-'], { input: pvl(ns) });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /meshguard/);
      assert.ok(!mg.logs().some((l) => l.event === 'admission.decision' && l.namespace === ns), `${ns} reached meshguard`);
    }
  });
});

describe('the chart in every TLS mode', () => {
  for (const [mode, sets] of [
    ['certManager', []],
    ['helm', ['tls.mode=helm']],
    ['secret', ['tls.mode=secret', 'tls.secret.name=byo-tls', `webhook.caBundle=${Buffer.from('x').toString('base64')}`]],
  ] as const) {
    test(`tls.mode=${mode}: the rendered chart is accepted by the apiserver (kubectl apply --dry-run=server)`, async () => {
      await cp.kubectl(['create', 'namespace', `tls-${mode.toLowerCase()}`], { allowFail: true });
      const rendered = await cp.helm(['template', 'mg', CHART, '-n', `tls-${mode.toLowerCase()}`, '--include-crds', ...sets.flatMap((s) => ['--set', s])]);
      const r = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: rendered.stdout, allowFail: true });
      assert.equal(r.code, 0, r.stderr);
      if (mode === 'certManager') assert.match(r.stdout, /certificate\.cert-manager\.io\/\S+ created \(server dry run\)/);
    });
  }
});

describe('with meshguard stopped', () => {
  test('audit namespaces still admit (Ignore); enforce namespaces fail closed with the apiserver error', async () => {
    const port = mg.port;
    assert.equal(await mg.stop(), 0);
    const audited = await cp.kubectl(['apply', '-f', '-'], { input: pvl('audited', 'pvl2') });
    assert.equal(audited.code, 0, audited.stderr);
    const enforced = await cp.kubectl(['apply', '-f', '-'], { input: peer('red-mesh', 'red-mesh-system').replace('red-mesh-system', 'istio-system'), allowFail: true });
    assert.notEqual(enforced.code, 0);
    assert.match(enforced.stderr, /failed calling webhook "[^"]*meshguard[^"]*".*connection refused/s);
    mg = await startMeshguard(cp, { port });
  });
});
