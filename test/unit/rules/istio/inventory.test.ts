import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { KObject } from '../../../../src/engine/types.ts';
import { checkDocuments } from './helpers.ts';

const CIDR = 'istio-mesh/cross-object-cidr-overlap';
const REGISTRY = 'istio-mesh/cross-object-registry-conflict';

function iop(name: string, meshNetworks: unknown, meshID: string | undefined = 'mesh1'): KObject {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name, namespace: 'istio-system' },
    spec: { values: { global: { ...(meshID ? { meshID } : {}), network: `${name}-net`, multiCluster: { clusterName: name }, meshNetworks } } },
  };
}
function configMap(networks: unknown): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: '{}', meshNetworks: stringify({ networks }) } };
}
const gw = [{ address: '203.0.113.10', port: 15443 }];
const net = (endpoints: unknown[]) => ({ endpoints, gateways: gw });

describe('meshNetworks across objects', () => {
  test('two IstioOperators giving overlapping ranges to different networks: error on the second, naming the first', () => {
    const docs = [iop('cluster-1', { network1: net([{ fromCidr: '10.0.0.0/16' }]) }), iop('cluster-2', { network2: net([{ fromCidr: '10.0.128.0/17' }]) })];
    const f = checkDocuments(docs).filter((x) => x.rule === CIDR);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.index, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.equal(f[0]!.path, '/spec/values/global/meshNetworks/network2/endpoints/0/fromCidr');
    assert.match(f[0]!.message, /^spec\.values\.global\.meshNetworks\.network2\.endpoints\[0\]\.fromCidr 10\.0\.128\.0\/17 \(network network2\) lies inside 10\.0\.0\.0\/16, which IstioOperator\/istio-system\/cluster-1 gives to network network1/);
    assert.match(f[0]!.fix ?? '', /same meshNetworks/);
  });
  test('an IstioOperator and the istio ConfigMap disagreeing on an IPv6 range', () => {
    const docs = [iop('cluster-1', { network1: net([{ fromCidr: 'fd00:10::/32' }]) }), configMap({ network2: net([{ fromCidr: 'fd00:10:1::/48' }]) })];
    const f = checkDocuments(docs).filter((x) => x.rule === CIDR);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.index, 1);
    assert.equal(f[0]!.path, '/data/meshNetworks');
    assert.match(f[0]!.message, /^networks\.network2\.endpoints\[0\]\.fromCidr fd00:10:1::\/48/);
  });
  test('a registry put in different networks by different objects', () => {
    const docs = [iop('cluster-2', { network2: net([{ fromRegistry: 'cluster-2' }]) }), configMap({ network1: net([{ fromRegistry: 'cluster-1' }, { fromRegistry: 'cluster-2' }]) })];
    const f = checkDocuments(docs).filter((x) => x.rule === REGISTRY);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.index, 1);
    assert.match(f[0]!.message, /registry cluster-2 is in network network1 here but in network network2 in IstioOperator\/istio-system\/cluster-2/);
  });
  test('identical copies agree; overlaps inside one object are left to the single-object rule', () => {
    const same = { network1: net([{ fromCidr: '10.0.0.0/16' }, { fromRegistry: 'cluster-1' }]), network2: net([{ fromCidr: '10.1.0.0/16' }, { fromRegistry: 'cluster-2' }]) };
    assert.deepEqual(checkDocuments([iop('cluster-1', same), iop('cluster-2', same), configMap(same)]).filter((x) => x.rule === CIDR || x.rule === REGISTRY), []);
    const inner = checkDocuments([iop('cluster-1', { network1: net([{ fromCidr: '10.0.0.0/8' }]), network2: net([{ fromCidr: '10.1.0.0/16' }]) })]);
    assert.deepEqual(inner.filter((x) => x.rule === CIDR).length, 0);
    assert.deepEqual(inner.filter((x) => x.rule === 'istio-mesh/from-cidr-overlap').length, 1);
  });
  test('many copies and one dissenter: one error per copy it disagrees with, on the later object, in input order', () => {
    const copy = { network1: net([{ fromCidr: '10.0.0.0/16' }]) };
    const docs = [iop('cluster-1', copy), iop('cluster-2', copy), iop('cluster-3', copy, undefined), iop('cluster-4', { network2: net([{ fromCidr: '10.0.128.0/17' }]) }), iop('cluster-5', copy)];
    const f = checkDocuments(docs).filter((x) => x.rule === CIDR);
    // cluster-3 states no meshID, so it is compared with everyone; the copies never with each other.
    assert.deepEqual(
      f.map((x) => [x.index, /which IstioOperator\/istio-system\/(cluster-\d) gives/.exec(x.message)?.[1]]),
      [[3, 'cluster-1'], [3, 'cluster-2'], [3, 'cluster-3'], [4, 'cluster-4']],
    );
  });
  test('installs of different meshes (different meshIDs) are not compared', () => {
    const docs = [iop('cluster-1', { network1: net([{ fromCidr: '10.0.0.0/16' }]) }, 'mesh-a'), iop('cluster-2', { network2: net([{ fromCidr: '10.0.0.0/16' }]) }, 'mesh-b')];
    assert.deepEqual(checkDocuments(docs).filter((x) => x.rule === CIDR), []);
  });
});
