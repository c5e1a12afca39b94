import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { KObject } from '../../../../src/engine/types.ts';
import { INTERNAL_LB_ANNOTATIONS } from '../../../../src/rules/istio/core.ts';
import { check, findingsOf, registry } from './helpers.ts';

function istioConfigMap(meshNetworks: string | undefined, meta: Record<string, unknown> = {}): KObject {
  const data: Record<string, string> = { mesh: 'trustDomain: cluster.local\n' };
  if (meshNetworks !== undefined) data.meshNetworks = meshNetworks;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system', ...meta }, data };
}

const networksYaml = (networks: unknown) => stringify({ networks });

function eastWestService(spec: Record<string, unknown>, annotations?: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system', labels: { istio: 'eastwestgateway', app: 'istio-eastwestgateway' }, ...(annotations ? { annotations } : {}) },
    spec: { selector: { istio: 'eastwestgateway' }, ports: [{ name: 'tls', port: 15443, targetPort: 15443 }], ...spec },
  };
}

describe('core kinds are audit / CLI only and filtered', () => {
  test('ConfigMap and Service are registered with admission: false and an applies filter', () => {
    for (const kind of ['ConfigMap', 'Service']) {
      const spec = registry.find('', 'v1', kind);
      assert.ok(spec, kind);
      assert.equal(spec.admission, false);
      assert.equal(typeof spec.applies, 'function');
    }
  });
  test('only the istio mesh ConfigMaps are evaluated', () => {
    assert.equal(check(istioConfigMap('networks: {}')).known, true);
    assert.equal(check(istioConfigMap('networks: {}', { name: 'istio-asm-1226-2' })).known, true, 'revisioned');
    assert.equal(check(istioConfigMap('networks: {}', { namespace: undefined })).known, true, 'local file without namespace');
    assert.equal(check(istioConfigMap('networks: {}', { namespace: 'default' })).known, false);
    assert.equal(check(istioConfigMap('networks: {}', { name: 'my-app' })).known, false);
    assert.equal(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: 'istio-system' }, data: { 'root-cert.pem': 'x' } }).known, false);
  });
  test('only east-west gateway Services are evaluated', () => {
    assert.equal(check(eastWestService({ type: 'LoadBalancer' })).known, true);
    assert.equal(check({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'default' }, spec: { type: 'LoadBalancer' } }).known, false);
    assert.equal(check({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: { istio: 'ingressgateway' } }, spec: { type: 'LoadBalancer' } }).known, false);
  });
});

describe('istio ConfigMap meshNetworks', () => {
  const cases: Array<{ rule: string; name: string; yaml: string; message: RegExp; severity: 'error' | 'warning' }> = [
    { rule: 'istio-cm/mesh-networks-yaml', name: 'not YAML', yaml: 'networks: [unclosed', message: /data\.meshNetworks is not valid YAML/, severity: 'error' },
    { rule: 'istio-cm/mesh-networks-yaml', name: 'a list instead of a map', yaml: 'networks:\n- network1\n', message: /does not have the meshNetworks shape at networks: .*expected record/, severity: 'error' },
    {
      rule: 'istio-mesh/from-cidr-overlap',
      name: 'IPv6 overlap',
      yaml: networksYaml({ network1: { endpoints: [{ fromCidr: 'fd00:10::/32' }], gateways: [{ address: '203.0.113.10', port: 15443 }] }, network2: { endpoints: [{ fromCidr: 'fd00:10:1::/48' }], gateways: [{ address: '203.0.113.20', port: 15443 }] } }),
      message: /^networks\.network2\.endpoints\[0\]\.fromCidr: fromCidr fd00:10:1::\/48 of network network2 lies inside fd00:10::\/32 of network network1/,
      severity: 'error',
    },
    { rule: 'istio-mesh/registry-name-invalid', name: 'peer case 42', yaml: networksYaml({ n1: { endpoints: [{ fromRegistry: 'cluster.local' }], gateways: [{ registry_service_name: 'istio-ingressgateway.istio-system.svc.cluster.local', port: 80 }] } }), message: /^networks\.n1\.endpoints\[0\]\.fromRegistry: invalid registry name "cluster\.local"/, severity: 'error' },
    { rule: 'istio-mesh/gateway-target-invalid', name: 'peer case 41', yaml: networksYaml({ n1: { endpoints: [{ fromRegistry: 'Kubernetes' }], gateways: [{ address: '1nv@lidhostname', port: 80 }] } }), message: /^networks\.n1\.gateways\[0\]\.address: gateway address "1nv@lidhostname"/, severity: 'error' },
    { rule: 'istio-mesh/gateway-port-range', name: 'port 0', yaml: networksYaml({ n1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ address: '203.0.113.1', port: 0 }] } }), message: /has port 0/, severity: 'error' },
    { rule: 'istio-mesh/network-without-gateways', name: 'no gateways', yaml: networksYaml({ n1: { endpoints: [{ fromRegistry: 'c1' }] } }), message: /network n1 has no gateways/, severity: 'warning' },
  ];
  for (const c of cases) {
    test(`${c.rule}: ${c.name}, reported at data.meshNetworks`, () => {
      const f = findingsOf(istioConfigMap(c.yaml), c.rule);
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.equal(f[0]!.path, '/data/meshNetworks');
      assert.equal(f[0]!.severity, c.severity);
      assert.match(f[0]!.message, c.message);
      assert.ok(f[0]!.fix);
    });
  }
  test('valid, empty and absent meshNetworks give no finding', () => {
    const ok = networksYaml({ network1: { endpoints: [{ fromRegistry: 'cluster-1' }], gateways: [{ registryServiceName: 'istio-eastwestgateway.istio-system.svc.cluster.local', port: 15443 }] } });
    for (const yaml of [ok, 'networks: {}', '', undefined]) {
      assert.deepEqual(check(istioConfigMap(yaml)).findings, [], String(yaml));
    }
  });
});

describe('east-west gateway Service exposure (seed 001)', () => {
  const RULE = 'istio-svc/eastwest-public-load-balancer';
  test('a LoadBalancer without source ranges or internal annotation is a warning at spec.type', () => {
    const f = findingsOf(eastWestService({ type: 'LoadBalancer' }), RULE);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.path, '/spec/type');
    assert.match(f[0]!.message, /no loadBalancerSourceRanges and no internal load-balancer annotation, so its ports \(15443 included\) are open to the internet/);
    assert.match(f[0]!.fix ?? '', /loadBalancerSourceRanges/);
  });
  test('source ranges, an internal annotation or another type are fine', () => {
    assert.deepEqual(findingsOf(eastWestService({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.128.0.0/16'] }), RULE), []);
    assert.deepEqual(findingsOf(eastWestService({ type: 'ClusterIP' }), RULE), []);
    assert.deepEqual(findingsOf(eastWestService({ type: 'NodePort' }), RULE), []);
    const internal: Record<string, string> = {
      'networking.gke.io/load-balancer-type': 'Internal',
      'cloud.google.com/load-balancer-type': 'Internal',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type': 'intranet',
    };
    for (const [k, v] of Object.entries(internal)) {
      assert.ok(k in INTERNAL_LB_ANNOTATIONS, k);
      assert.deepEqual(findingsOf(eastWestService({ type: 'LoadBalancer' }, { [k]: v }), RULE), [], k);
    }
  });
  test('an annotation that says public does not count', () => {
    assert.equal(findingsOf(eastWestService({ type: 'LoadBalancer' }, { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type': 'internet' }), RULE).length, 1);
    assert.equal(findingsOf(eastWestService({ type: 'LoadBalancer' }, { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'false' }), RULE).length, 1);
    assert.equal(findingsOf(eastWestService({ type: 'LoadBalancer', loadBalancerSourceRanges: [] }), RULE).length, 1);
  });
});
