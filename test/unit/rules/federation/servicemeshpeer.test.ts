import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuleContext } from '../../../../src/engine/context.ts';
import { applyPatch } from '../../../../src/engine/patch.ts';
import { getAt, setIfAbsent } from '../../../../src/engine/pointer.ts';
import type { Defaulter } from '../../../../src/engine/rule.ts';
import { defaultContext } from '../../../../src/engine/context.ts';
import type { KObject } from '../../../../src/engine/types.ts';
import { serviceMeshPeerKind } from '../../../../src/rules/federation/servicemeshpeer.ts';
import type { ServiceMeshPeer } from '../../../../src/rules/federation/schema.ts';
import { API, assertFindings, check, type Expected, findingsOf, lookupsOf, merge, RED_GREEN_BLUE, secondPatch, seedPeer, topologyOf } from './harness.ts';

/** Seed 004's peer with only what a user must know: the peer's name and address. */
function minimalPeer(patch: unknown = {}): KObject {
  return merge<KObject>(
    {
      apiVersion: API,
      kind: 'ServiceMeshPeer',
      metadata: { name: 'green-mesh', namespace: 'red-mesh-system' },
      spec: { remote: { addresses: ['ingress-red-mesh.green-mesh-system.apps.domain.com'] } },
    },
    patch,
  );
}

describe('ServiceMeshPeer defaults', () => {
  test('seed 004: a peer without ports or security is stored exactly as the seed writes it, plus the ports', () => {
    const r = check(minimalPeer());
    const stored = applyPatch(minimalPeer(), r.patch);
    assert.deepEqual(stored, seedPeer());
    assert.ok(r.patch.every((op) => op.op === 'add'));
    assert.deepEqual(
      r.findings.filter((f) => f.severity === 'error'),
      [],
      'the defaulted peer is valid',
    );
  });

  const cases: Array<{ rule: string; path: string; value: unknown; why: RegExp }> = [
    { rule: 'federation/default-remote-ports', path: '/spec/remote/discoveryPort', value: 8188, why: /default discovery port/ },
    { rule: 'federation/default-remote-ports', path: '/spec/remote/servicePort', value: 15443, why: /default service port/ },
    { rule: 'federation/default-trust-domain', path: '/spec/security/trustDomain', value: 'green-mesh.local', why: /<peer>\.local convention; write the real one if it differs/ },
    { rule: 'federation/default-certificate-chain', path: '/spec/security/certificateChain/kind', value: 'ConfigMap', why: /read from a ConfigMap/ },
    { rule: 'federation/default-certificate-chain', path: '/spec/security/certificateChain/name', value: 'green-mesh-ca-root-cert', why: /key root-cert\.pem/ },
    { rule: 'federation/default-gateway-names', path: '/spec/gateways/ingress/name', value: 'ingress-green-mesh', why: /ingress name for peer green-mesh/ },
    { rule: 'federation/default-gateway-names', path: '/spec/gateways/egress/name', value: 'egress-green-mesh', why: /egress name for peer green-mesh/ },
    {
      rule: 'federation/default-client-id',
      path: '/spec/security/clientID',
      value: 'green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account',
      why: /green-mesh's egress for red-mesh/,
    },
  ];
  for (const c of cases) {
    test(`${c.rule} sets ${c.path} and says so in a warning`, () => {
      const r = check(minimalPeer());
      assert.equal(getAt(minimalPeer(), c.path), undefined);
      assert.deepEqual(getAt(applyPatch(minimalPeer(), r.patch), c.path), c.value);
      const f = r.findings.find((x) => x.rule === c.rule && x.path === c.path);
      assert.ok(f, `warning for ${c.path}`);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, new RegExp(`^set ${c.path.slice(1).replaceAll('/', '\\.')}=`));
      assert.match(f.message, c.why);
    });
  }

  test('the trust-domain warning says the value is a convention, so another trust domain must be written', () => {
    const f = findingsOf(minimalPeer(), 'federation/default-trust-domain')[0];
    assert.ok(f);
    assert.match(f.message, /convention; write the real one if it differs/);
  });

  test('with a MeshTopology: the local mesh, the peer namespace and the trust domain come from it', () => {
    const topology = topologyOf([
      { name: 'red', namespace: 'federation-red', trustDomain: 'red.example.com' },
      { name: 'green-mesh', namespace: 'istio-green', trustDomain: 'green.example.com' },
    ]);
    const obj = minimalPeer({ metadata: { namespace: 'federation-red' } });
    const stored = applyPatch(obj, check(obj, { topology }).patch) as ServiceMeshPeer;
    assert.equal(stored.spec?.security?.trustDomain, 'green.example.com');
    assert.equal(stored.spec?.security?.clientID, 'green.example.com/ns/istio-green/sa/egress-red-service-account');
    const why = findingsOf(obj, 'federation/default-trust-domain', { topology })[0]?.message ?? '';
    assert.match(why, /trust domain of mesh green-mesh in the MeshTopology/);
  });

  test('trustDomain left out but clientID written: the trust domain is taken from the clientID', () => {
    const obj = minimalPeer({ spec: { security: { clientID: 'green.corp/ns/green-mesh-system/sa/egress-red-mesh-service-account' } } });
    const stored = applyPatch(obj, check(obj).patch) as ServiceMeshPeer;
    assert.equal(stored.spec?.security?.trustDomain, 'green.corp');
    assert.equal(stored.spec?.security?.clientID, 'green.corp/ns/green-mesh-system/sa/egress-red-mesh-service-account');
    assert.deepEqual(findingsOf(obj, 'federation/client-id-trust-domain'), []);
  });

  test('a user trustDomain is used for the defaulted clientID', () => {
    const obj = minimalPeer({ spec: { security: { trustDomain: 'green.corp' } } });
    const stored = applyPatch(obj, check(obj).patch) as ServiceMeshPeer;
    assert.equal(stored.spec?.security?.clientID, 'green.corp/ns/green-mesh-system/sa/egress-red-mesh-service-account');
  });

  test('a partial certificateChain gets only its missing field', () => {
    const obj = minimalPeer({ spec: { security: { certificateChain: { name: 'green-root' } } } });
    const r = check(obj);
    assert.deepEqual(
      r.patch.filter((op) => op.path.includes('certificateChain')).map((op) => [op.path, op.value]),
      [['/spec/security/certificateChain/kind', 'ConfigMap']],
    );
  });

  test('user values are never overwritten, and unknown fields survive', () => {
    const obj = seedPeer({ spec: { remote: { discoveryPort: 9188, servicePort: 16443 }, extra: { kept: true } } });
    const r = check(obj);
    assert.deepEqual(r.patch, []);
    assert.equal(r.findings.filter((f) => f.rule.startsWith('federation/default-')).length, 0);
  });

  test('nothing is derived from an invalid peer name (only the ports, which do not depend on it)', () => {
    const obj = minimalPeer({ metadata: { name: 'Green_Mesh' } });
    const r = check(obj);
    assert.deepEqual(r.patch.map((op) => op.path).sort(), ['/spec/remote/discoveryPort', '/spec/remote/servicePort']);
  });

  test('no clientID is guessed when the local mesh is unknown (namespace without -system, no topology)', () => {
    const obj = minimalPeer({ metadata: { namespace: 'federation' } });
    const r = check(obj);
    const stored = applyPatch(obj, r.patch);
    assert.equal(getAt(stored, '/spec/security/clientID'), undefined);
    assert.equal(getAt(stored, '/spec/security/trustDomain'), 'green-mesh.local');
    const f = r.findings.find((x) => x.rule === 'federation/security-required');
    assert.ok(f, 'the missing clientID is then an error');
    assert.equal(f.path, '/spec/security/clientID');
  });

  const idempotenceInputs: Array<[string, KObject, Partial<RuleContext>]> = [
    ['minimal peer', minimalPeer(), {}],
    ['peer without spec', { apiVersion: API, kind: 'ServiceMeshPeer', metadata: { name: 'blue-mesh', namespace: 'red-mesh-system' } }, {}],
    ['partial security', minimalPeer({ spec: { security: { certificateChain: { name: 'x' }, clientID: 'a.b/ns/c/sa/d' } } }), {}],
    ['with topology', minimalPeer(), { topology: RED_GREEN_BLUE }],
    ['complete seed peer', seedPeer(), {}],
  ];
  for (const [name, obj, ctx] of idempotenceInputs) {
    test(`idempotent through the engine: ${name}`, () => {
      const { second } = secondPatch(obj, ctx);
      assert.deepEqual(second.patch, []);
    });
  }

  for (const d of serviceMeshPeerKind.defaulters) {
    test(`${d.id} alone is idempotent and only adds`, () => {
      for (const [, obj, ctxPart] of idempotenceInputs) {
        const ctx = defaultContext({ namespace: obj.metadata?.namespace ?? '', ...ctxPart });
        const once = applyOne(d, obj, ctx);
        const twice = applyOne(d, once.obj, ctx);
        assert.equal(twice.sets, 0, `${d.id} set something on the second pass`);
        assert.deepEqual(twice.obj, once.obj);
      }
    });
  }
});

function applyOne(d: Defaulter<ServiceMeshPeer>, obj: KObject, ctx: RuleContext): { obj: KObject; sets: number } {
  const out = structuredClone(obj) as Record<string, unknown>;
  let sets = 0;
  d.apply(out as unknown as ServiceMeshPeer, ctx, (path, value) => {
    const done = setIfAbsent(out, path, value);
    if (done) sets++;
    return done;
  });
  return { obj: out as KObject, sets };
}

interface Case {
  name: string;
  obj: KObject;
  ctx?: Partial<RuleContext>;
  defaults?: boolean;
  /** undefined: the rule must not fire. */
  expect?: Expected;
}

const TOPO_CTX = { topology: RED_GREEN_BLUE };

const table: Record<string, Case[]> = {
  'federation/peer-name-dns-label': [
    { name: 'seed name', obj: seedPeer() },
    {
      name: 'upper case and underscore',
      obj: seedPeer({ metadata: { name: 'Green_Mesh' } }),
      expect: { path: '/metadata/name', severity: 'error', message: /"Green_Mesh" is not a DNS-1123 label/, fix: /set metadata\.name: green-mesh$/ },
    },
    {
      name: 'dots (a subdomain is not a label)',
      obj: seedPeer({ metadata: { name: 'green.mesh' } }),
      expect: { path: '/metadata/name', severity: 'error', fix: /green-mesh/ },
    },
    { name: '64 characters', obj: seedPeer({ metadata: { name: 'g'.repeat(64) } }), expect: { path: '/metadata/name', severity: 'error' } },
    { name: '63 characters', obj: seedPeer({ metadata: { name: 'g'.repeat(63) } }) },
    { name: 'missing name', obj: seedPeer({ metadata: { name: undefined } }), expect: { path: '/metadata/name', severity: 'error', message: /not set/ } },
  ],
  'federation/remote-addresses-required': [
    { name: 'one address', obj: seedPeer() },
    {
      name: 'empty list',
      obj: seedPeer({ spec: { remote: { addresses: [] } } }),
      expect: { path: '/spec/remote/addresses', severity: 'error', message: /is empty/, fix: /ingress-red-mesh\.green-mesh-system\.apps\.example\.com/ },
    },
    { name: 'no remote at all', obj: seedPeer({ spec: { remote: undefined } }), expect: { path: '/spec/remote/addresses', severity: 'error', message: /not set/ } },
  ],
  'federation/remote-address-format': [
    { name: 'DNS name and IPv4 and IPv6', obj: seedPeer({ spec: { remote: { addresses: ['a.example.com', '203.0.113.10', '2001:db8::1', 'GW.Example.com.'] } } }) },
    {
      name: 'URL',
      obj: seedPeer({ spec: { remote: { addresses: ['a.example.com', 'https://gw.example.com:15443/x'] } } }),
      expect: { path: '/spec/remote/addresses/1', severity: 'error', message: /is a URL/, fix: /host name \(gw\.example\.com\)/ },
    },
    {
      name: 'host:port',
      obj: seedPeer({ spec: { remote: { addresses: ['gw.example.com:8188'] } } }),
      expect: { path: '/spec/remote/addresses/0', severity: 'error', message: /carries a port/, fix: /write gw\.example\.com and set the port/ },
    },
    { name: 'wildcard', obj: seedPeer({ spec: { remote: { addresses: ['*.example.com'] } } }), expect: { path: '/spec/remote/addresses/0', severity: 'error' } },
    { name: 'bad IPv4', obj: seedPeer({ spec: { remote: { addresses: ['256.1.1.1'] } } }), expect: { path: '/spec/remote/addresses/0', severity: 'error' } },
    { name: 'underscore', obj: seedPeer({ spec: { remote: { addresses: ['gw_1.example.com'] } } }), expect: { path: '/spec/remote/addresses/0', severity: 'error' } },
    { name: 'empty string', obj: seedPeer({ spec: { remote: { addresses: [''] } } }), expect: { path: '/spec/remote/addresses/0', severity: 'error' } },
  ],
  'federation/remote-address-duplicate': [
    { name: 'distinct', obj: seedPeer({ spec: { remote: { addresses: ['a.example.com', 'b.example.com'] } } }) },
    {
      name: 'same name in another case with a trailing dot',
      obj: seedPeer({ spec: { remote: { addresses: ['a.example.com', '203.0.113.1', 'A.Example.com.'] } } }),
      expect: { path: '/spec/remote/addresses/2', severity: 'error', message: /repeats spec\.remote\.addresses\[0\]/, fix: /remove spec\.remote\.addresses\[2\]/ },
    },
    {
      name: 'same IP',
      obj: seedPeer({ spec: { remote: { addresses: ['203.0.113.1', '203.0.113.1', '203.0.113.1'] } } }),
      expect: { path: '/spec/remote/addresses/1', severity: 'error', count: 2 },
    },
  ],
  'federation/remote-port-range': [
    { name: 'defaults', obj: seedPeer() },
    { name: 'edges', obj: seedPeer({ spec: { remote: { discoveryPort: 1, servicePort: 65535 } } }) },
    {
      name: 'too large',
      obj: seedPeer({ spec: { remote: { discoveryPort: 70000 } } }),
      expect: { path: '/spec/remote/discoveryPort', severity: 'error', message: /70000 is not a port number/, fix: /default 8188/ },
    },
    { name: 'zero', obj: seedPeer({ spec: { remote: { servicePort: 0 } } }), expect: { path: '/spec/remote/servicePort', severity: 'error', fix: /default 15443/ } },
    { name: 'fraction', obj: seedPeer({ spec: { remote: { servicePort: 15443.5 } } }), expect: { path: '/spec/remote/servicePort', severity: 'error' } },
    { name: 'negative', obj: seedPeer({ spec: { remote: { discoveryPort: -1 } } }), expect: { path: '/spec/remote/discoveryPort', severity: 'error' } },
  ],
  'federation/remote-ports-distinct': [
    { name: 'defaults', obj: seedPeer() },
    {
      name: 'servicePort equals discoveryPort',
      obj: seedPeer({ spec: { remote: { discoveryPort: 9000, servicePort: 9000 } } }),
      expect: {
        path: '/spec/remote/servicePort',
        severity: 'error',
        message: /both 9000/,
        fix: /^set spec\.remote\.servicePort to a port different from discoveryPort \(e\.g\. 15443\)$/,
      },
    },
    {
      name: 'unset servicePort falls back to 15443 at runtime, which the discoveryPort takes',
      obj: minimalPeer({ spec: { remote: { discoveryPort: 15443 } } }),
      defaults: false,
      expect: { path: '/spec/remote/discoveryPort', severity: 'error', fix: /discoveryPort .*e\.g\. 8188/ },
    },
  ],
  'federation/security-required': [
    { name: 'defaults fill both', obj: minimalPeer() },
    {
      name: 'no defaulting: both missing',
      obj: minimalPeer(),
      defaults: false,
      expect: { path: '/spec/security/trustDomain', severity: 'error', count: 2, fix: /green-mesh\.local/ },
    },
    {
      name: 'no defaulting: the clientID fix is the conventional one',
      obj: minimalPeer({ spec: { security: { trustDomain: 'green-mesh.local' } } }),
      defaults: false,
      expect: {
        path: '/spec/security/clientID',
        severity: 'error',
        fix: /^set spec\.security\.clientID: green-mesh\.local\/ns\/green-mesh-system\/sa\/egress-red-mesh-service-account$/,
      },
    },
    { name: 'empty string', obj: seedPeer({ spec: { security: { trustDomain: '' } } }), expect: { path: '/spec/security/trustDomain', severity: 'error' } },
  ],
  'federation/trust-domain-format': [
    { name: 'seed', obj: seedPeer() },
    { name: 'underscore allowed', obj: seedPeer({ spec: { security: { trustDomain: 'green_mesh.local', clientID: 'green_mesh.local/ns/a/sa/b' } } }) },
    {
      name: 'spiffe scheme',
      obj: seedPeer({ spec: { security: { trustDomain: 'spiffe://green-mesh.local' } } }),
      expect: { path: '/spec/security/trustDomain', severity: 'error', message: /spiffe:\/\/ scheme/, fix: /^set spec\.security\.trustDomain: green-mesh\.local$/ },
    },
    {
      name: 'upper case',
      obj: seedPeer({ spec: { security: { trustDomain: 'Green-Mesh.local' } } }),
      expect: { path: '/spec/security/trustDomain', severity: 'error', fix: /green-mesh\.local/ },
    },
    { name: 'empty label', obj: seedPeer({ spec: { security: { trustDomain: 'green..local' } } }), expect: { path: '/spec/security/trustDomain', severity: 'error' } },
    { name: 'path', obj: seedPeer({ spec: { security: { trustDomain: 'green-mesh.local/ns/x' } } }), expect: { path: '/spec/security/trustDomain', severity: 'error', fix: /green-mesh\.local$/ } },
  ],
  'federation/trust-domain-not-local': [
    { name: 'peer trust domain', obj: seedPeer(), ctx: TOPO_CTX },
    {
      name: "this mesh's own trust domain",
      obj: seedPeer({ spec: { security: { trustDomain: 'red-mesh.local', clientID: 'red-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account' } } }),
      ctx: TOPO_CTX,
      expect: { path: '/spec/security/trustDomain', severity: 'error', message: /trust domain of this mesh red-mesh/, fix: /set spec\.security\.trustDomain: green-mesh\.local/ },
    },
    {
      name: 'local mesh without a stated trust domain: nothing to compare',
      obj: seedPeer({ spec: { security: { trustDomain: 'red-mesh.local', clientID: 'red-mesh.local/ns/a/sa/b' } } }),
      ctx: { topology: topologyOf([{ name: 'red-mesh', namespace: 'red-mesh-system' }]) },
    },
  ],
  'federation/trust-domain-topology': [
    { name: 'agrees', obj: seedPeer(), ctx: TOPO_CTX },
    {
      name: 'disagrees',
      obj: seedPeer(),
      ctx: { topology: topologyOf([{ name: 'green-mesh', namespace: 'green-mesh-system', trustDomain: 'green.example.com' }]) },
      expect: { path: '/spec/security/trustDomain', severity: 'error', message: /"green\.example\.com"/, fix: /set spec\.security\.trustDomain: green\.example\.com/ },
    },
    { name: 'peer mesh unknown to the topology', obj: seedPeer({ metadata: { name: 'yellow-mesh' } }), ctx: TOPO_CTX },
  ],
  'federation/client-id-format': [
    { name: 'seed', obj: seedPeer() },
    {
      name: 'spiffe URI',
      obj: seedPeer({ spec: { security: { clientID: 'spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account' } } }),
      expect: {
        path: '/spec/security/clientID',
        severity: 'error',
        message: /spiffe:\/\/ scheme/,
        fix: /^set spec\.security\.clientID: green-mesh\.local\/ns\/green-mesh-system\/sa\/egress-red-mesh-service-account$/,
      },
    },
    {
      name: 'a bare service account name',
      obj: seedPeer({ spec: { security: { clientID: 'egress-red-mesh-service-account' } } }),
      expect: { path: '/spec/security/clientID', severity: 'error', message: /not of the form/, fix: /green-mesh\.local\/ns\/green-mesh-system\/sa\/egress-red-mesh-service-account/ },
    },
    {
      name: 'namespace not a DNS label',
      obj: seedPeer({ spec: { security: { clientID: 'green-mesh.local/ns/Green_NS/sa/egress' } } }),
      expect: { path: '/spec/security/clientID', severity: 'error', message: /namespace "Green_NS"/ },
    },
    {
      name: 'bad service account',
      obj: seedPeer({ spec: { security: { clientID: 'green-mesh.local/ns/green-mesh-system/sa/Egress!' } } }),
      expect: { path: '/spec/security/clientID', severity: 'error', message: /service account "Egress!"/ },
    },
  ],
  'federation/client-id-trust-domain': [
    { name: 'seed', obj: seedPeer() },
    {
      name: 'another trust domain',
      obj: seedPeer({ spec: { security: { clientID: 'cluster.local/ns/green-mesh-system/sa/egress-red-mesh-service-account' } } }),
      expect: {
        path: '/spec/security/clientID',
        severity: 'error',
        message: /in trust domain "cluster\.local", not "green-mesh\.local".*discovery is refused/,
        fix: /^set spec\.security\.clientID: green-mesh\.local\/ns\/green-mesh-system\/sa\/egress-red-mesh-service-account/,
      },
    },
  ],
  'federation/client-id-namespace': [
    { name: 'agrees with the topology', obj: seedPeer(), ctx: TOPO_CTX },
    {
      name: 'other namespace',
      obj: seedPeer({ spec: { security: { clientID: 'green-mesh.local/ns/istio-system/sa/egress-red-mesh-service-account' } } }),
      ctx: TOPO_CTX,
      expect: { path: '/spec/security/clientID', severity: 'warning', message: /"istio-system".*green-mesh-system/, fix: /\/ns\/green-mesh-system\// },
    },
    { name: 'no statement in the topology', obj: seedPeer({ spec: { security: { clientID: 'green-mesh.local/ns/istio-system/sa/x' } } }), ctx: { topology: topologyOf([]) } },
  ],
  'federation/certificate-chain-kind': [
    { name: 'ConfigMap', obj: seedPeer() },
    {
      name: 'Secret',
      obj: seedPeer({ spec: { security: { certificateChain: { kind: 'Secret' } } } }),
      expect: { path: '/spec/security/certificateChain/kind', severity: 'error', message: /"Secret"/, fix: /kind: ConfigMap.*root-cert\.pem/ },
    },
    { name: 'lower case', obj: seedPeer({ spec: { security: { certificateChain: { kind: 'configmap' } } } }), expect: { path: '/spec/security/certificateChain/kind', severity: 'error' } },
  ],
  'federation/certificate-chain-configmap': [
    { name: 'present with the key', obj: seedPeer(), ctx: { lookups: lookupsOf({ 'red-mesh-system/green-mesh-ca-root-cert': { 'root-cert.pem': '-----BEGIN CERTIFICATE-----' } }) } },
    {
      name: 'missing',
      obj: seedPeer(),
      ctx: { lookups: lookupsOf({}) },
      expect: {
        path: '/spec/security/certificateChain/name',
        severity: 'warning',
        message: /ConfigMap red-mesh-system\/green-mesh-ca-root-cert does not exist/,
        fix: /create ConfigMap green-mesh-ca-root-cert in red-mesh-system .*root-cert\.pem/,
      },
    },
    {
      name: 'wrong key',
      obj: seedPeer(),
      ctx: { lookups: lookupsOf({ 'red-mesh-system/green-mesh-ca-root-cert': { 'ca.crt': 'x' } }) },
      expect: { path: '/spec/security/certificateChain/name', severity: 'warning', message: /no root-cert\.pem entry \(keys: ca\.crt\)/ },
    },
    {
      name: 'defaulting off: the default name is looked up',
      obj: minimalPeer(),
      defaults: false,
      ctx: { lookups: lookupsOf({}) },
      expect: { path: '/spec/security/certificateChain', severity: 'warning', message: /green-mesh-ca-root-cert/ },
    },
  ],
  'federation/peer-in-control-plane-namespace': [
    { name: 'control-plane namespace', obj: seedPeer(), ctx: TOPO_CTX },
    {
      name: 'an application namespace',
      obj: seedPeer({ metadata: { namespace: 'bookinfo' } }),
      ctx: TOPO_CTX,
      expect: { path: '/metadata/namespace', severity: 'warning', message: /"bookinfo".*known: red-mesh-system, green-mesh-system, blue-mesh-system/ },
    },
    { name: 'a topology without meshes says nothing about meshes', obj: seedPeer({ metadata: { namespace: 'bookinfo' } }), ctx: { topology: topologyOf([]) } },
  ],
};

describe('ServiceMeshPeer validation', () => {
  for (const [rule, cases] of Object.entries(table)) {
    for (const c of cases) {
      test(`${rule}: ${c.name}`, () => {
        const found = findingsOf(c.obj, rule, c.ctx ?? {}, c.defaults ?? true);
        const f = assertFindings(found, c.expect, `${rule} must not fire`);
        if (f) assert.ok(!f.message.includes('\n'), 'one line');
      });
    }
  }

  test('rules that need the topology or lookups are skipped with an info finding when they are absent', () => {
    const r = check(seedPeer());
    for (const rule of ['federation/trust-domain-not-local', 'federation/trust-domain-topology', 'federation/client-id-namespace', 'federation/peer-in-control-plane-namespace', 'federation/certificate-chain-configmap']) {
      const f = r.findings.find((x) => x.rule === rule);
      assert.equal(f?.severity, 'info', rule);
      assert.match(f?.message ?? '', /^skipped: needs/);
    }
  });

  test('a peer the seed writes is valid with topology and lookups present', () => {
    const r = check(seedPeer(), { ...TOPO_CTX, lookups: lookupsOf({ 'red-mesh-system/green-mesh-ca-root-cert': { 'root-cert.pem': 'x' } }) });
    assert.deepEqual(r.findings.filter((f) => f.severity !== 'info'), []);
  });
});
