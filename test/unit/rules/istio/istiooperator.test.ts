import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuleContext } from '../../../../src/engine/context.ts';
import type { KObject, Severity } from '../../../../src/engine/types.ts';
import { buildTopology } from '../../../../src/topology/index.ts';
import { assertFindingAt, check, findingsOf } from './helpers.ts';

const NET = 'my-project-cluster-1-net';

// Test mutators edit deep JSON literals in place; typing every path would only restate the fixtures.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Seed 001's east-west gateway install; `mutate` edits a copy. */
function eastWest(mutate: (o: Json) => void = () => {}): KObject {
  const o = {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'eastwest', namespace: 'istio-system' },
    spec: {
      revision: 'asm-1226-2',
      profile: 'empty',
      components: {
        ingressGateways: [
          {
            name: 'istio-eastwestgateway',
            enabled: true,
            label: { istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': NET },
            k8s: {
              env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: NET }],
              service: {
                ports: [
                  { name: 'status-port', port: 15021, targetPort: 15021 },
                  { name: 'tls', port: 15443, targetPort: 15443 },
                ],
              },
            },
          },
        ],
      },
      values: { global: { meshID: 'proj-123456789012', network: NET, multiCluster: { clusterName: 'cluster-1' } } },
    },
  };
  mutate(o);
  return o;
}

/** A primary cluster's install with meshNetworks (no east-west component). */
function withNetworks(networks: unknown, mutate: (o: Json) => void = () => {}): KObject {
  const o = {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'cluster-1', namespace: 'istio-system' },
    spec: { values: { global: { meshID: 'mesh1', network: 'network1', multiCluster: { clusterName: 'cluster-1' }, meshNetworks: networks } } },
  };
  mutate(o);
  return o;
}

const GW = [{ registryServiceName: 'istio-eastwestgateway.istio-system.svc.cluster.local', port: 15443 }];
const good = {
  network1: { endpoints: [{ fromRegistry: 'cluster-1' }, { fromCidr: '10.0.0.0/16' }], gateways: GW },
  network2: { endpoints: [{ fromRegistry: 'cluster-2' }, { fromCidr: '10.1.0.0/16' }, { fromCidr: 'fd00:10:1::/48' }], gateways: [{ address: '203.0.113.20', port: 15443 }] },
};

const topology = () =>
  buildTopology([
    {
      apiVersion: 'meshguard.io/v1alpha1',
      kind: 'MeshTopology',
      metadata: { name: 'seed-001' },
      spec: { clusters: [{ id: 'cluster-1', region: 'us-central1', network: NET }, { id: 'cluster-2', name: 'onprem', network: 'default' }] },
    },
  ]).view;

interface Case {
  rule: string;
  severity: Severity;
  name: string;
  obj: KObject;
  path: string;
  message: RegExp;
  fix: RegExp;
  topology?: boolean;
}

const G = '/spec/values/global';
const C = '/spec/components/ingressGateways/0';
const MN = `${G}/meshNetworks`;

const invalid: Case[] = [
  { rule: 'istio-iop/mesh-id-required', severity: 'warning', name: 'east-west install without meshID', obj: eastWest((o) => delete o.spec.values.global.meshID), path: `${G}/meshID`, message: /meshID is not set, but it installs an east-west gateway/, fix: /same value in every cluster/ },
  { rule: 'istio-iop/mesh-id-required', severity: 'warning', name: 'meshNetworks without meshID', obj: withNetworks(good, (o) => delete o.spec.values.global.meshID), path: `${G}/meshID`, message: /but meshNetworks is set/, fix: /meshID/ },
  { rule: 'istio-iop/network-required', severity: 'error', name: 'east-west install without network', obj: eastWest((o) => delete o.spec.values.global.network), path: `${G}/network`, message: /network is not set, but it installs an east-west gateway/, fix: /spec\.values\.global\.network/ },
  { rule: 'istio-iop/network-required', severity: 'error', name: 'meshNetworks without network', obj: withNetworks(good, (o) => delete o.spec.values.global.network), path: `${G}/network`, message: /meshNetworks is set/, fix: /network/ },
  { rule: 'istio-iop/cluster-name-required', severity: 'error', name: 'east-west install without clusterName', obj: eastWest((o) => delete o.spec.values.global.multiCluster), path: `${G}/multiCluster/clusterName`, message: /multiCluster\.clusterName is not set.*called Kubernetes/, fix: /unique name/ },
  { rule: 'istio-iop/cluster-not-in-topology', severity: 'error', name: 'a clusterName the topology does not know', obj: eastWest((o) => (o.spec.values.global.multiCluster.clusterName = 'cluster-01')), path: `${G}/multiCluster/clusterName`, message: /cluster "cluster-01" is not in the topology; known clusters: cluster-1, onprem/, fix: /MeshTopology/, topology: true },
  { rule: 'istio-iop/network-differs-from-topology', severity: 'error', name: "a network other than the cluster's", obj: eastWest((o) => (o.spec.values.global.multiCluster.clusterName = 'onprem')), path: `${G}/network`, message: /topology puts cluster onprem on network "default"/, fix: /network: default/, topology: true },
  { rule: 'istio-iop/eastwest-network-label', severity: 'error', name: 'no network label', obj: eastWest((o) => delete o.spec.components.ingressGateways[0].label['topology.istio.io/network']), path: `${C}/label`, message: /has no topology\.istio\.io\/network label/, fix: new RegExp(`topology\\.istio\\.io/network: ${NET}`) },
  { rule: 'istio-iop/eastwest-network-mismatch', severity: 'error', name: 'label names another network', obj: eastWest((o) => (o.spec.components.ingressGateways[0].label['topology.istio.io/network'] = 'default')), path: `${C}/label/topology.istio.io~1network`, message: /label topology\.istio\.io\/network is "default" but values\.global\.network is "my-project-cluster-1-net"/, fix: /to my-project-cluster-1-net/ },
  { rule: 'istio-iop/eastwest-network-mismatch', severity: 'error', name: 'env names another network', obj: eastWest((o) => (o.spec.components.ingressGateways[0].k8s.env[0].value = 'default')), path: `${C}/k8s/env/0/value`, message: /env ISTIO_META_REQUESTED_NETWORK_VIEW is "default"/, fix: /my-project-cluster-1-net/ },
  { rule: 'istio-iop/eastwest-network-view', severity: 'warning', name: 'no requested network view', obj: eastWest((o) => (o.spec.components.ingressGateways[0].k8s.env = [])), path: `${C}/k8s/env`, message: /has no ISTIO_META_REQUESTED_NETWORK_VIEW/, fix: /name: ISTIO_META_REQUESTED_NETWORK_VIEW, value: my-project-cluster-1-net/ },
  { rule: 'istio-iop/eastwest-port-15443', severity: 'error', name: 'service ports without 15443', obj: eastWest((o) => o.spec.components.ingressGateways[0].k8s.service.ports.pop()), path: `${C}/k8s/service/ports`, message: /ports \[15021\] do not include 15443/, fix: /name: tls, port: 15443/ },
  { rule: 'istio-iop/eastwest-port-15443', severity: 'error', name: 'no service ports at all (the default Service has none at 15443)', obj: eastWest((o) => delete o.spec.components.ingressGateways[0].k8s.service), path: `${C}/k8s/service/ports`, message: /sets no service ports/, fix: /status-port 15021/ },
  { rule: 'istio-iop/eastwest-port-name', severity: 'warning', name: '15443 named tcp', obj: eastWest((o) => (o.spec.components.ingressGateways[0].k8s.service.ports[1].name = 'tcp')), path: `${C}/k8s/service/ports/1/name`, message: /Service port 15443 is named "tcp", not "tls"/, fix: /name: tls/ },
  // meshNetworks in values.global
  { rule: 'istio-mesh/from-cidr-invalid', severity: 'error', name: 'prefix above 32', obj: withNetworks({ network1: { endpoints: [{ fromCidr: '10.0.0.0/33' }], gateways: GW } }), path: `${MN}/network1/endpoints/0/fromCidr`, message: /fromCidr "10\.0\.0\.0\/33" of network network1 is not a valid CIDR: prefix length \/33 is above 32/, fix: /10\.1\.0\.0\/16/ },
  { rule: 'istio-mesh/from-cidr-invalid', severity: 'error', name: 'not an address', obj: withNetworks({ network1: { endpoints: [{ from_cidr: 'ten.0.0.0' }], gateways: GW } }), path: `${MN}/network1/endpoints/0/from_cidr`, message: /not an IP address or CIDR/, fix: /address block/ },
  { rule: 'istio-mesh/from-cidr-overlap', severity: 'error', name: 'IPv4 supernet in another network', obj: withNetworks({ network1: { endpoints: [{ fromCidr: '10.0.0.0/8' }], gateways: GW }, network2: { endpoints: [{ fromCidr: '10.1.0.0/16' }], gateways: GW } }), path: `${MN}/network2/endpoints/0/fromCidr`, message: /10\.1\.0\.0\/16 of network network2 lies inside 10\.0\.0\.0\/8 of network network1/, fix: /disjoint/ },
  { rule: 'istio-mesh/from-cidr-overlap', severity: 'error', name: 'IPv4 subnet listed first', obj: withNetworks({ network1: { endpoints: [{ fromCidr: '10.1.0.0/16' }], gateways: GW }, network2: { endpoints: [{ fromCidr: '10.0.0.0/8' }], gateways: GW } }), path: `${MN}/network2/endpoints/0/fromCidr`, message: /10\.0\.0\.0\/8 of network network2 is a supernet of 10\.1\.0\.0\/16 of network network1/, fix: /disjoint/ },
  { rule: 'istio-mesh/from-cidr-overlap', severity: 'error', name: 'IPv6 overlap', obj: withNetworks({ network1: { endpoints: [{ fromCidr: 'fd00:10::/32' }], gateways: GW }, network2: { endpoints: [{ fromCidr: 'FD00:10:1::/48' }], gateways: GW } }), path: `${MN}/network2/endpoints/0/fromCidr`, message: /FD00:10:1::\/48 of network network2 lies inside fd00:10::\/32/, fix: /disjoint/ },
  { rule: 'istio-mesh/from-cidr-overlap', severity: 'error', name: 'a single address inside another network range', obj: withNetworks({ network1: { endpoints: [{ fromCidr: '10.0.0.0/16' }], gateways: GW }, network2: { endpoints: [{ fromCidr: '10.0.3.4' }], gateways: GW } }), path: `${MN}/network2/endpoints/0/fromCidr`, message: /10\.0\.3\.4 of network network2 lies inside 10\.0\.0\.0\/16/, fix: /disjoint/ },
  { rule: 'istio-mesh/from-cidr-overlap', severity: 'error', name: 'the same range twice', obj: withNetworks({ network1: { endpoints: [{ fromCidr: '10.0.0.0/16' }], gateways: GW }, network2: { endpoints: [{ fromCidr: '10.0.0.0/16' }], gateways: GW } }), path: `${MN}/network2/endpoints/0/fromCidr`, message: /is the same range as/, fix: /disjoint/ },
  { rule: 'istio-mesh/registry-in-several-networks', severity: 'error', name: 'cluster-2 in two networks', obj: withNetworks({ network1: { endpoints: [{ fromRegistry: 'cluster-2' }], gateways: GW }, network2: { endpoints: [{ fromRegistry: 'cluster-2' }], gateways: GW } }), path: `${MN}/network2/endpoints/0/fromRegistry`, message: /fromRegistry cluster-2 is in network network2 and also in network network1/, fix: /one network/ },
  { rule: 'istio-mesh/registry-name-invalid', severity: 'error', name: 'cluster.local (peer case 42)', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'cluster.local' }], gateways: [{ registry_service_name: 'istio-ingressgateway.istio-system.svc.cluster.local', port: 80 }] } }), path: `${MN}/n1/endpoints/0/fromRegistry`, message: /invalid registry name "cluster\.local" in network n1/, fix: /cluster name/ },
  { rule: 'istio-mesh/gateway-address-in-several-networks', severity: 'error', name: 'one address, two networks', obj: withNetworks({ network1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ address: '203.0.113.20', port: 15443 }] }, network2: { endpoints: [{ fromRegistry: 'c2' }], gateways: [{ address: '203.0.113.20', port: 15443 }] } }), path: `${MN}/network2/gateways/0/address`, message: /203\.0\.113\.20 of network network2 is also the gateway of network network1/, fix: /its own east-west gateway/ },
  { rule: 'istio-mesh/gateway-target-invalid', severity: 'error', name: 'invalid address (peer case 41)', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'Kubernetes' }], gateways: [{ address: '1nv@lidhostname', port: 80 }] } }), path: `${MN}/n1/gateways/0/address`, message: /"1nv@lidhostname" of network n1 is not a valid IP address or DNS name/, fix: /load balancer IP/ },
  { rule: 'istio-mesh/gateway-target-invalid', severity: 'error', name: 'invalid service name', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ registryServiceName: 'bad_name.svc', port: 15443 }] } }), path: `${MN}/n1/gateways/0/registryServiceName`, message: /registryServiceName "bad_name\.svc" of network n1 is not a valid FQDN/, fix: /istio-eastwestgateway/ },
  { rule: 'istio-mesh/gateway-target-invalid', severity: 'error', name: 'neither address nor service', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ port: 15443 }] } }), path: `${MN}/n1/gateways/0`, message: /has neither address nor registryServiceName/, fix: /registryServiceName/ },
  { rule: 'istio-mesh/gateway-port-range', severity: 'error', name: 'port 70000', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ address: '203.0.113.20', port: 70000 }] } }), path: `${MN}/n1/gateways/0/port`, message: /has port 70000, not a port number in 1\.\.65535/, fix: /port: 15443/ },
  { rule: 'istio-mesh/gateway-port-range', severity: 'error', name: 'no port', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ address: '203.0.113.20' }] } }), path: `${MN}/n1/gateways/0/port`, message: /has port \(none\)/, fix: /15443/ },
  { rule: 'istio-mesh/network-without-endpoints', severity: 'warning', name: 'gateways only', obj: withNetworks({ ...good, network3: { gateways: GW } }), path: `${MN}/network3`, message: /network network3 has no endpoints/, fix: /fromRegistry/ },
  { rule: 'istio-mesh/network-without-gateways', severity: 'warning', name: 'endpoints only', obj: withNetworks({ ...good, network3: { endpoints: [{ fromRegistry: 'c3' }] } }), path: `${MN}/network3`, message: /network network3 has no gateways.*topology\.istio\.io\/network=network3/, fix: /port: 15443/ },
];

const valid: Array<{ rule: string; name: string; obj: KObject; topology?: boolean }> = [
  ...['istio-iop/mesh-id-required', 'istio-iop/network-required', 'istio-iop/cluster-name-required', 'istio-iop/eastwest-network-label', 'istio-iop/eastwest-network-mismatch', 'istio-iop/eastwest-network-view', 'istio-iop/eastwest-port-15443', 'istio-iop/eastwest-port-name'].map((rule) => ({
    rule,
    name: "seed 001's east-west install",
    obj: eastWest(),
  })),
  { rule: 'istio-iop/cluster-not-in-topology', name: 'a known cluster (by ID)', obj: eastWest(), topology: true },
  { rule: 'istio-iop/cluster-not-in-topology', name: 'a known cluster (by name)', obj: eastWest((o) => (o.spec.values.global.multiCluster.clusterName = 'onprem')), topology: true },
  { rule: 'istio-iop/cluster-not-in-topology', name: 'a placeholder is not looked up', obj: eastWest((o) => (o.spec.values.global.multiCluster.clusterName = '${CLUSTER}')), topology: true },
  { rule: 'istio-iop/network-differs-from-topology', name: "the cluster's own network", obj: eastWest(), topology: true },
  { rule: 'istio-iop/mesh-id-required', name: 'a single-network install needs no meshID', obj: withNetworks(undefined, (o) => delete o.spec.values.global.meshID) },
  { rule: 'istio-iop/network-required', name: 'a disabled east-west component does not count', obj: eastWest((o) => { delete o.spec.values.global.network; o.spec.components.ingressGateways[0].enabled = false; }) },
  { rule: 'istio-iop/eastwest-network-mismatch', name: 'placeholders are not compared', obj: eastWest((o) => (o.spec.values.global.network = '${NETWORK}')) },
  ...['istio-mesh/from-cidr-invalid', 'istio-mesh/from-cidr-overlap', 'istio-mesh/registry-in-several-networks', 'istio-mesh/registry-name-invalid', 'istio-mesh/gateway-address-in-several-networks', 'istio-mesh/gateway-target-invalid', 'istio-mesh/gateway-port-range', 'istio-mesh/network-without-endpoints', 'istio-mesh/network-without-gateways'].map((rule) => ({
    rule,
    name: 'two disjoint networks with their own gateways',
    obj: withNetworks(good),
  })),
  { rule: 'istio-mesh/from-cidr-overlap', name: 'IPv4 and IPv6 never overlap; overlaps inside one network are harmless', obj: withNetworks({ network1: { endpoints: [{ fromCidr: '10.0.0.0/8' }, { fromCidr: '10.1.0.0/16' }], gateways: GW }, network2: { endpoints: [{ fromCidr: '::ffff:0:0/96' }], gateways: GW } }) },
  { rule: 'istio-mesh/gateway-target-invalid', name: 'a DNS name as address', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'c1' }], gateways: [{ address: 'eastwest.example.com', port: 15443 }] } }) },
  { rule: 'istio-mesh/gateway-address-in-several-networks', name: 'the same registry service name in two networks (resolved per cluster, peer case 40)', obj: withNetworks({ n1: { endpoints: [{ fromRegistry: 'Kubernetes' }], gateways: [{ registry_service_name: 'istio-ingressgateway.istio-system.svc.cluster.local', port: 80 }] }, n2: { endpoints: [{ fromRegistry: 'cluster1' }], gateways: [{ registry_service_name: 'istio-ingressgateway.istio-system.svc.cluster.local', port: 443 }] } }) },
  { rule: 'istio-mesh/registry-name-invalid', name: 'shell placeholders are not judged', obj: withNetworks({ '${NET}': { endpoints: [{ fromRegistry: '${REMOTE_CLUSTER_NAME}' }], gateways: GW } }) },
];

function ctxFor(c: { topology?: boolean }): Partial<RuleContext> {
  return c.topology ? { topology: topology() } : {};
}

describe('IstioOperator rules', () => {
  for (const c of invalid) {
    test(`${c.rule}: ${c.name}`, () => {
      assertFindingAt(findingsOf(c.obj, c.rule, ctxFor(c)), c.rule, c.path, c);
    });
  }
  for (const v of valid) {
    test(`${v.rule}: no finding for ${v.name}`, () => {
      assert.deepEqual(findingsOf(v.obj, v.rule, ctxFor(v)), []);
    });
  }
  test('every IstioOperator rule has an invalid case', () => {
    const ids = check(eastWest()).kind!.validators.map((r) => r.id);
    const covered = new Set(invalid.map((c) => c.rule));
    assert.deepEqual(ids.filter((id) => !covered.has(id)), []);
  });
  test("seed 001's install has no error and no warning", () => {
    const r = check(eastWest(), { topology: topology() });
    assert.deepEqual(r.findings.filter((f) => f.severity !== 'info'), []);
    assert.deepEqual(r.patch, []);
  });
  test('an IstioOperator without metadata (as istioctl reads files) is evaluated', () => {
    const o = eastWest((x) => {
      delete x.metadata;
      delete x.spec.values.global.network;
    });
    assert.equal(check(o).known, true);
    assert.equal(findingsOf(o, 'istio-iop/network-required').length, 1);
  });
});

test('istio-iop/cluster-not-in-topology: a topology without clusters says nothing about cluster names', () => {
  const meshesOnly = buildTopology([{ apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'm' }, spec: { meshes: [{ name: 'mesh1' }] } }]).view;
  assert.deepEqual(findingsOf(eastWest(), 'istio-iop/cluster-not-in-topology', { topology: meshesOnly }), []);
});
