import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultContext, type RuleContext } from '../../../../src/engine/context.ts';
import { evaluate } from '../../../../src/engine/evaluate.ts';
import { applyPatch } from '../../../../src/engine/patch.ts';
import type { Finding, KObject } from '../../../../src/engine/types.ts';
import { asmRegistry, assertInvalidCase, type InvalidCase } from './helpers.ts';

const registry = asmRegistry();
const ctx = defaultContext({ namespace: 'istio-system' });

/** Seed 003's ingress gateway, as written in the document. */
export function seed003Gateway(): KObject {
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'IstioGateway',
    metadata: { annotations: { 'asm.alibabacloud.com/managed-by-asm': 'true' }, name: 'ingressgateway', namespace: 'istio-system' },
    spec: {
      gatewayType: 'ingress',
      dnsPolicy: 'ClusterFirst',
      externalTrafficPolicy: 'Local',
      hostNetwork: false,
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
      ],
      replicaCount: 1,
      resources: { limits: { cpu: '2', memory: '2G' }, requests: { cpu: '200m', memory: '256Mi' } },
      rollingMaxSurge: '100%',
      rollingMaxUnavailable: '25%',
      runAsRoot: true,
      serviceType: 'LoadBalancer',
    },
  };
}

function withSpec(patch: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  const g = seed003Gateway();
  Object.assign(g.spec as object, patch);
  Object.assign(g.metadata as object, meta);
  return g;
}

function run(obj: KObject, c: RuleContext = ctx, defaults = false): Finding[] {
  const r = evaluate(registry, obj, c, { defaults, validate: true });
  assert.equal(r.known, true);
  return r.findings;
}

test("seed 003's gateway passes every rule with no error or warning, and needs no default", () => {
  const r = evaluate(registry, seed003Gateway(), ctx, { defaults: true, validate: true });
  assert.deepEqual(r.findings.filter((f) => f.severity !== 'info'), []);
  assert.deepEqual(r.patch, []);
});

const cases: InvalidCase[] = [
  { name: 'namespace default', obj: withSpec({}, { namespace: 'default' }), ctx: defaultContext({ namespace: 'default' }), rule: 'asm-gateway/namespace-istio-system', path: '/metadata/namespace', severity: 'error', fix: /metadata\.namespace: istio-system/, message: /"default"/ },
  { name: 'namespace only from the request', obj: withSpec({}, { namespace: undefined }), ctx: defaultContext({ namespace: 'apps' }), rule: 'asm-gateway/namespace-istio-system', path: '/metadata/namespace', severity: 'error', fix: /istio-system/, message: /"apps"/ },
  { name: 'namespace unknown (CLI, none written)', obj: withSpec({}, { namespace: undefined }), ctx: defaultContext({ namespace: '' }), rule: 'asm-gateway/namespace-unset', path: '/metadata/namespace', severity: 'warning', fix: /istio-system/ },
  { name: 'gatewayType wrong', obj: withSpec({ gatewayType: 'east-west' }), rule: 'asm-gateway/gateway-type', path: '/spec/gatewayType', severity: 'error', fix: /ingress, egress/ },
  { name: 'gatewayType wrong case', obj: withSpec({ gatewayType: 'Ingress' }), rule: 'asm-gateway/gateway-type', path: '/spec/gatewayType', severity: 'error', fix: /gatewayType: ingress \(values are case-sensitive\)/ },
  { name: 'serviceType wrong', obj: withSpec({ serviceType: 'ExternalName' }), rule: 'asm-gateway/service-type', path: '/spec/serviceType', severity: 'error', fix: /LoadBalancer, NodePort, ClusterIP/ },
  { name: 'serviceType wrong case', obj: withSpec({ serviceType: 'loadbalancer' }), rule: 'asm-gateway/service-type', path: '/spec/serviceType', severity: 'error', fix: /serviceType: LoadBalancer/ },
  { name: 'externalTrafficPolicy wrong', obj: withSpec({ externalTrafficPolicy: 'Global' }), rule: 'asm-gateway/external-traffic-policy', path: '/spec/externalTrafficPolicy', severity: 'error', fix: /Cluster, Local/ },
  { name: 'Local with ClusterIP', obj: withSpec({ serviceType: 'ClusterIP', externalTrafficPolicy: 'Local' }), rule: 'asm-gateway/local-policy-with-cluster-ip', path: '/spec/externalTrafficPolicy', severity: 'warning', fix: /remove spec\.externalTrafficPolicy/ },
  { name: 'ports empty', obj: withSpec({ ports: [] }), rule: 'asm-gateway/ports-not-empty', path: '/spec/ports', severity: 'error', fix: /remove spec\.ports/ },
  { name: 'port names repeat', obj: withSpec({ ports: [{ name: 'http', port: 80, targetPort: 80 }, { name: 'http', port: 8080, targetPort: 8080 }] }), rule: 'asm-gateway/port-name-unique', path: '/spec/ports/1/name', severity: 'error', fix: /rename it, e\.g\. http-8080/, message: /spec\.ports\[0\]/ },
  { name: 'port numbers repeat', obj: withSpec({ ports: [{ name: 'http', port: 80, targetPort: 80 }, { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' }] }), rule: 'asm-gateway/port-number-unique', path: '/spec/ports/1/port', severity: 'error', fix: /different port number/, message: /80\/TCP/ },
  { name: 'port 0', obj: withSpec({ ports: [{ name: 'http', port: 0, targetPort: 80 }] }), rule: 'asm-gateway/port-range', path: '/spec/ports/0/port', severity: 'error', fix: /1 to 65535/ },
  { name: 'port 65536', obj: withSpec({ ports: [{ name: 'http', port: 65536, targetPort: 80 }] }), rule: 'asm-gateway/port-range', path: '/spec/ports/0/port', severity: 'error', fix: /1 to 65535/ },
  { name: 'port missing', obj: withSpec({ ports: [{ name: 'http', targetPort: 80 }] }), rule: 'asm-gateway/port-range', path: '/spec/ports/0', severity: 'error', fix: /set port/, message: /\(http\) has no port/ },
  { name: 'targetPort negative', obj: withSpec({ ports: [{ name: 'http', port: 80, targetPort: -1 }] }), rule: 'asm-gateway/port-range', path: '/spec/ports/0/targetPort', severity: 'error', fix: /container port/ },
  { name: 'targetPort 70000', obj: withSpec({ ports: [{ name: 'http', port: 80, targetPort: 70000 }] }), rule: 'asm-gateway/port-range', path: '/spec/ports/0/targetPort', severity: 'error', fix: /1\.\.65535/ },
  { name: 'targetPort 0', obj: withSpec({ ports: [{ name: 'http', port: 80, targetPort: 0 }] }), rule: 'asm-gateway/target-port-zero', path: '/spec/ports/0/targetPort', severity: 'warning', fix: /e\.g\. 80/, message: /container port 80/ },
  { name: 'protocol HTTP', obj: withSpec({ ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'HTTP' }] }), rule: 'asm-gateway/port-protocol', path: '/spec/ports/0/protocol', severity: 'error', fix: /protocol: TCP/ },
  { name: 'protocol lower-case', obj: withSpec({ ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'udp' }] }), rule: 'asm-gateway/port-protocol', path: '/spec/ports/0/protocol', severity: 'error', fix: /protocol: UDP \(case-sensitive\)/ },
  { name: 'protocol UDP', obj: withSpec({ ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }] }), rule: 'asm-gateway/udp-needs-recent-asm', path: '/spec/ports/0/protocol', severity: 'warning', fix: /1\.9\.7\.107/, message: /only TCP/ },
  { name: 'replicaCount negative', obj: withSpec({ replicaCount: -1 }), rule: 'asm-gateway/replica-count', path: '/spec/replicaCount', severity: 'error', fix: /1 or more/ },
  { name: 'replicaCount 0', obj: withSpec({ replicaCount: 0 }), rule: 'asm-gateway/replica-count-zero', path: '/spec/replicaCount', severity: 'warning', fix: /1 or more/ },
  { name: 'request cpu above limit', obj: withSpec({ resources: { limits: { cpu: '200m' }, requests: { cpu: '2' } } }), rule: 'asm-gateway/requests-within-limits', path: '/spec/resources/requests/cpu', severity: 'error', fix: /at most 200m/, message: /2 is more than limits\.cpu 200m/ },
  { name: 'request memory above limit (binary vs decimal)', obj: withSpec({ resources: { limits: { memory: '256Mi' }, requests: { memory: '2G' } } }), rule: 'asm-gateway/requests-within-limits', path: '/spec/resources/requests/memory', severity: 'error', fix: /256Mi/ },
  { name: 'request 1Gi above limit 1G', obj: withSpec({ resources: { limits: { memory: '1G' }, requests: { memory: '1Gi' } } }), rule: 'asm-gateway/requests-within-limits', path: '/spec/resources/requests/memory', severity: 'error', fix: /1G/ },
  { name: 'request as a JSON number above limit', obj: withSpec({ resources: { limits: { cpu: '1500m' }, requests: { cpu: 2 } } }), rule: 'asm-gateway/requests-within-limits', path: '/spec/resources/requests/cpu', severity: 'error', fix: /1500m/ },
  { name: 'unparseable quantity', obj: withSpec({ resources: { limits: { memory: '2GB' }, requests: { memory: '256Mi' } } }), rule: 'asm-gateway/resource-quantity', path: '/spec/resources/limits/memory', severity: 'error', fix: /256Mi or 2G/ },
  { name: 'negative quantity', obj: withSpec({ resources: { requests: { cpu: '-1' } } }), rule: 'asm-gateway/resource-quantity', path: '/spec/resources/requests/cpu', severity: 'error', fix: /positive/ },
  { name: 'rollingMaxSurge a word', obj: withSpec({ rollingMaxSurge: 'all' }), rule: 'asm-gateway/rolling-update-format', path: '/spec/rollingMaxSurge', severity: 'error', fix: /25%/ },
  { name: 'rollingMaxSurge a quoted number', obj: withSpec({ rollingMaxSurge: '1' }), rule: 'asm-gateway/rolling-update-format', path: '/spec/rollingMaxSurge', severity: 'error', fix: /write 1 as a number \(no quotes\) or as a percentage like 1%/ },
  { name: 'rollingMaxUnavailable fractional percent', obj: withSpec({ rollingMaxUnavailable: '12.5%' }), rule: 'asm-gateway/rolling-update-format', path: '/spec/rollingMaxUnavailable', severity: 'error', fix: /percentage/ },
  { name: 'rollingMaxUnavailable negative', obj: withSpec({ rollingMaxUnavailable: -1 }), rule: 'asm-gateway/rolling-update-format', path: '/spec/rollingMaxUnavailable', severity: 'error', fix: /whole number/ },
  { name: 'rollingMaxUnavailable over 100%', obj: withSpec({ rollingMaxUnavailable: '150%' }), rule: 'asm-gateway/rolling-update-format', path: '/spec/rollingMaxUnavailable', severity: 'error', fix: /at most 100%/ },
  { name: 'both zero (int)', obj: withSpec({ rollingMaxSurge: 0, rollingMaxUnavailable: 0 }), rule: 'asm-gateway/rolling-update-not-both-zero', path: '/spec/rollingMaxUnavailable', severity: 'error', fix: /rollingMaxSurge: 100%/ },
  { name: 'both zero (mixed)', obj: withSpec({ rollingMaxSurge: '0%', rollingMaxUnavailable: 0 }), rule: 'asm-gateway/rolling-update-not-both-zero', path: '/spec/rollingMaxUnavailable', severity: 'error', fix: /100%/ },
];

for (const c of cases) {
  test(`IstioGateway invalid: ${c.name} → ${c.rule}`, () => assertInvalidCase(run(c.obj, c.ctx), c));
}

const validCases: Array<{ name: string; obj: KObject; quiet: string[] }> = [
  { name: 'egress gateway, NodePort', obj: withSpec({ gatewayType: 'egress', serviceType: 'NodePort' }), quiet: ['asm-gateway/gateway-type', 'asm-gateway/service-type'] },
  { name: 'ClusterIP with Cluster policy', obj: withSpec({ serviceType: 'ClusterIP', externalTrafficPolicy: 'Cluster' }), quiet: ['asm-gateway/local-policy-with-cluster-ip'] },
  { name: 'LoadBalancer with Local policy (seed 003)', obj: seed003Gateway(), quiet: ['asm-gateway/local-policy-with-cluster-ip'] },
  { name: 'same port over TCP and UDP (HTTP/3)', obj: withSpec({ ports: [{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP' }, { name: 'http3', port: 443, targetPort: 443, protocol: 'UDP' }] }), quiet: ['asm-gateway/port-number-unique', 'asm-gateway/port-name-unique', 'asm-gateway/port-protocol'] },
  { name: 'port boundaries 1 and 65535', obj: withSpec({ ports: [{ name: 'a', port: 1, targetPort: 65535 }, { name: 'b', port: 65535, targetPort: 1 }] }), quiet: ['asm-gateway/port-range', 'asm-gateway/target-port-zero'] },
  { name: 'unnamed ports do not clash by name', obj: withSpec({ ports: [{ port: 80, targetPort: 80 }, { port: 81, targetPort: 81 }] }), quiet: ['asm-gateway/port-name-unique'] },
  { name: 'requests equal to limits (corpus asmlabs-1)', obj: withSpec({ resources: { limits: { cpu: '2', memory: '4G' }, requests: { cpu: '2', memory: '4G' } } }), quiet: ['asm-gateway/requests-within-limits'] },
  { name: 'request 1G below limit 1Gi', obj: withSpec({ resources: { limits: { memory: '1Gi' }, requests: { memory: '1G' } } }), quiet: ['asm-gateway/requests-within-limits'] },
  { name: '0.5 vs 500m equal', obj: withSpec({ resources: { limits: { cpu: '500m' }, requests: { cpu: 0.5 } } }), quiet: ['asm-gateway/requests-within-limits', 'asm-gateway/resource-quantity'] },
  { name: 'request without a limit', obj: withSpec({ resources: { requests: { cpu: '64', 'nvidia.com/gpu': '1' } } }), quiet: ['asm-gateway/requests-within-limits'] },
  { name: 'rollout ints', obj: withSpec({ rollingMaxSurge: 1, rollingMaxUnavailable: 0 }), quiet: ['asm-gateway/rolling-update-format', 'asm-gateway/rolling-update-not-both-zero'] },
  { name: 'rollout surge over 100% is fine', obj: withSpec({ rollingMaxSurge: '200%', rollingMaxUnavailable: '0%' }), quiet: ['asm-gateway/rolling-update-format', 'asm-gateway/rolling-update-not-both-zero'] },
  { name: 'replicaCount 3', obj: withSpec({ replicaCount: 3 }), quiet: ['asm-gateway/replica-count', 'asm-gateway/replica-count-zero'] },
];

for (const c of validCases) {
  test(`IstioGateway valid: ${c.name}`, () => {
    const findings = run(c.obj);
    for (const rule of c.quiet) assert.ok(!findings.some((f) => f.rule === rule), `${rule} fired: ${JSON.stringify(findings)}`);
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  });
}

test('a non-integer port or replicaCount is a schema error, not a crash', () => {
  const r = evaluate(registry, withSpec({ replicaCount: 1.5 }), ctx, { defaults: true, validate: true });
  assert.ok(r.findings.some((f) => f.rule === 'schema/invalid' && f.path === '/spec/replicaCount'));
  const p = evaluate(registry, withSpec({ ports: [{ name: 'x', port: '80' }] }), ctx, { defaults: true, validate: true });
  assert.ok(p.findings.some((f) => f.rule === 'schema/invalid' && f.path === '/spec/ports/0/port'));
});

// ---------------------------------------------------------------- defaulting

function bare(spec?: Record<string, unknown>): KObject {
  const o: KObject = { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'IstioGateway', metadata: { name: 'ingressgateway', namespace: 'istio-system' } };
  if (spec) o.spec = spec;
  return o;
}

test("an IstioGateway with no ports gets seed 003's defaults, each reported, and a second pass adds nothing", () => {
  for (const obj of [bare({}), bare()]) {
    const r = evaluate(registry, obj, ctx, { defaults: true, validate: true });
    const stored = applyPatch(obj, r.patch) as { spec: Record<string, unknown> };
    assert.deepEqual(stored.spec, {
      gatewayType: 'ingress',
      serviceType: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      ports: [
        { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
      ],
      replicaCount: 1,
      rollingMaxSurge: '100%',
      rollingMaxUnavailable: '25%',
    });
    assert.ok(r.patch.every((op) => op.op === 'add'));
    const warned = r.findings.filter((f) => f.rule.startsWith('asm-gateway/default-') && f.severity === 'warning').map((f) => f.path).sort();
    assert.deepEqual(warned, ['/spec/externalTrafficPolicy', '/spec/gatewayType', '/spec/ports', '/spec/replicaCount', '/spec/rollingMaxSurge', '/spec/rollingMaxUnavailable', '/spec/serviceType']);
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    const again = evaluate(registry, stored, ctx, { defaults: true, validate: true });
    assert.deepEqual(again.patch, [], 'a second pass must yield an empty patch');
    assert.deepEqual(again.findings.filter((f) => f.severity !== 'info'), []);
  }
});

test('defaults never overwrite what the user wrote, and unknown fields survive', () => {
  const obj = bare({ ports: [{ name: 'tcp', port: 9000, targetPort: 9000 }], replicaCount: 0, serviceType: 'NodePort', gatewayType: 'egress', rollingMaxSurge: 0, kernel: { parameters: {} }, secretVolumes: [{ name: 'x' }] });
  const r = evaluate(registry, obj, ctx, { defaults: true, validate: true });
  const stored = applyPatch(obj, r.patch) as { spec: Record<string, unknown> };
  assert.deepEqual(stored.spec.ports, [{ name: 'tcp', port: 9000, targetPort: 9000 }]);
  assert.equal(stored.spec.replicaCount, 0);
  assert.equal(stored.spec.serviceType, 'NodePort');
  assert.equal(stored.spec.gatewayType, 'egress');
  assert.equal(stored.spec.rollingMaxSurge, 0);
  assert.equal(stored.spec.rollingMaxUnavailable, '25%');
  assert.equal(stored.spec.externalTrafficPolicy, 'Cluster');
  assert.deepEqual(stored.spec.kernel, { parameters: {} });
  assert.deepEqual(stored.spec.secretVolumes, [{ name: 'x' }]);
  assert.deepEqual(r.patch.map((op) => op.path).sort(), ['/spec/externalTrafficPolicy', '/spec/rollingMaxUnavailable']);
  assert.deepEqual(evaluate(registry, stored, ctx, { defaults: true, validate: true }).patch, []);
});

test('a ClusterIP gateway gets no externalTrafficPolicy (Kubernetes refuses it there)', () => {
  const obj = bare({ serviceType: 'ClusterIP' });
  const r = evaluate(registry, obj, ctx, { defaults: true, validate: true });
  assert.ok(!r.patch.some((op) => op.path === '/spec/externalTrafficPolicy'));
  assert.deepEqual(evaluate(registry, applyPatch(obj, r.patch), ctx, { defaults: true, validate: true }).patch, []);
});

test('replicaCount defaults to minReplicas when that is larger than 1', () => {
  const obj = bare({ minReplicas: 2, maxReplicas: 4 });
  const r = evaluate(registry, obj, ctx, { defaults: true, validate: true });
  const op = r.patch.find((o) => o.path === '/spec/replicaCount');
  assert.equal(op?.value, 2);
  assert.match(r.findings.find((f) => f.rule === 'asm-gateway/default-replica-count')?.message ?? '', /minReplicas is 2/);
  assert.deepEqual(evaluate(registry, applyPatch(obj, r.patch), ctx, { defaults: true, validate: true }).patch, []);
});

test('with defaults off nothing is added and validation still runs', () => {
  const r = evaluate(registry, bare({ gatewayType: 'sideways' }), ctx, { defaults: false, validate: true });
  assert.deepEqual(r.patch, []);
  assert.ok(r.findings.some((f) => f.rule === 'asm-gateway/gateway-type'));
});

test('an absent rollout pair is never "both zero"; one zero alone is fine', () => {
  assert.ok(!run(bare({ rollingMaxSurge: 0 })).some((f) => f.rule === 'asm-gateway/rolling-update-not-both-zero'));
  assert.ok(!run(bare({ rollingMaxUnavailable: '0%' })).some((f) => f.rule === 'asm-gateway/rolling-update-not-both-zero'));
});

test('only v1beta1 is served (the only version seed 003 and the corpus use)', () => {
  assert.equal(evaluate(registry, { ...seed003Gateway(), apiVersion: 'istio.alibabacloud.com/v1' }, ctx, { defaults: true, validate: true }).known, false);
});
