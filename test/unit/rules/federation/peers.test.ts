import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../../../../src/engine/types.ts';
import { API, check, checkDocuments, inventoryOf, lookupsOf, RED_GREEN_BLUE, topologyOf, type DocFinding } from './harness.ts';

function peer(name: string, namespace: string, clientID?: string): KObject {
  const security = clientID ? { security: { clientID } } : {};
  return { apiVersion: API, kind: 'ServiceMeshPeer', metadata: { name, namespace }, spec: { remote: { addresses: [`ingress.${name}.example.com`] }, ...security } };
}

function set(kind: 'ExportedServiceSet' | 'ImportedServiceSet', name: string, namespace?: string): KObject {
  const spec =
    kind === 'ExportedServiceSet'
      ? { exportRules: [{ type: 'NameSelector', nameSelector: { namespace: 'bookinfo', name: 'ratings' } }] }
      : { importRules: [{ type: 'NameSelector', nameSelector: { namespace: 'bookinfo' } }] };
  return { apiVersion: API, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}

const of = (findings: DocFinding[], rule: string) => findings.filter((f) => f.rule === rule);

const MESHES = ['red', 'green', 'blue'];
/** Seed 004: each mesh's namespace holds a peer for each other mesh. */
function fullMesh(meshes = MESHES): KObject[] {
  return meshes.flatMap((local) => meshes.filter((m) => m !== local).map((m) => peer(`${m}-mesh`, `${local}-mesh-system`)));
}

describe('federation/peer-reciprocal', () => {
  test('red↔green: two peers, one in each namespace, is complete', () => {
    const f = checkDocuments(fullMesh(['red', 'green']));
    assert.equal(fullMesh(['red', 'green']).length, 2);
    assert.deepEqual(of(f, 'federation/peer-reciprocal'), []);
    assert.deepEqual(of(f, 'federation/peer-reciprocal-unseen'), []);
  });

  test('red, green and blue: six peers are complete', () => {
    const docs = fullMesh();
    assert.equal(docs.length, 6);
    assert.deepEqual(of(checkDocuments(docs), 'federation/peer-reciprocal'), []);
    assert.deepEqual(of(checkDocuments(docs, { topology: RED_GREEN_BLUE }), 'federation/peer-reciprocal'), []);
  });

  test('each of the six missing in turn is named as the object to create', () => {
    const all = fullMesh();
    for (let i = 0; i < all.length; i++) {
      const missing = all[i] as KObject;
      const docs = all.filter((_, j) => j !== i);
      const found = of(checkDocuments(docs), 'federation/peer-reciprocal');
      assert.equal(found.length, 1, JSON.stringify(found));
      const f = found[0] as DocFinding;
      assert.equal(f.severity, 'error');
      assert.equal(f.fix, `create ServiceMeshPeer ${missing.metadata?.name} in ${missing.metadata?.namespace}`);
      // Reported on the peer whose counterpart is missing: it lives where the missing one points.
      const target = docs[f.index] as KObject;
      assert.equal(target.metadata?.namespace, `${missing.metadata?.name}-system`);
      assert.equal(`${target.metadata?.name}-system`, missing.metadata?.namespace);
      assert.equal(f.path, '/metadata/name');
    }
  });

  test('example message: create ServiceMeshPeer red-mesh in green-mesh-system', () => {
    const found = of(checkDocuments([peer('green-mesh', 'red-mesh-system'), peer('blue-mesh', 'green-mesh-system')]), 'federation/peer-reciprocal');
    const f = found.find((x) => x.fix === 'create ServiceMeshPeer red-mesh in green-mesh-system');
    assert.ok(f, JSON.stringify(found));
    assert.match(f.message, /ServiceMeshPeer green-mesh in red-mesh-system has no counterpart/);
  });

  test("the other mesh's namespace not among the inputs: an info that it cannot be checked, no error", () => {
    const f = checkDocuments([peer('green-mesh', 'red-mesh-system')]);
    assert.deepEqual(of(f, 'federation/peer-reciprocal'), []);
    const unseen = of(f, 'federation/peer-reciprocal-unseen');
    assert.equal(unseen.length, 1);
    assert.equal(unseen[0]?.severity, 'info');
    assert.match(unseen[0]?.message ?? '', /ServiceMeshPeer red-mesh in green-mesh-system\) is not among the inputs/);
  });

  test('an ExportedServiceSet in the other namespace makes that mesh visible', () => {
    const f = checkDocuments([peer('green-mesh', 'red-mesh-system'), set('ExportedServiceSet', 'blue-mesh', 'green-mesh-system')]);
    assert.equal(of(f, 'federation/peer-reciprocal').length, 1);
  });

  test('the topology places the meshes: namespaces that do not follow <mesh>-system', () => {
    const topology = topologyOf([
      { name: 'red', namespace: 'istio-red' },
      { name: 'green', namespace: 'istio-green' },
    ]);
    const ok = checkDocuments([peer('green', 'istio-red'), peer('red', 'istio-green')], { topology });
    assert.deepEqual(of(ok, 'federation/peer-reciprocal'), []);
    const broken = checkDocuments([peer('green', 'istio-red'), peer('blue', 'istio-green')], { topology });
    assert.ok(of(broken, 'federation/peer-reciprocal').some((f) => f.fix === 'create ServiceMeshPeer red in istio-green'));
  });

  test("without topology the clientID's namespace tells where the peer mesh lives", () => {
    const docs = [
      peer('green-mesh', 'red-mesh-system', 'green-mesh.local/ns/green-cp/sa/egress-red-mesh-service-account'),
      peer('blue-mesh', 'green-cp', 'blue-mesh.local/ns/blue-mesh-system/sa/egress-green-service-account'),
    ];
    const found = of(checkDocuments(docs), 'federation/peer-reciprocal');
    // green-cp does not follow <mesh>-system, so the local mesh there cannot be named: no guess is made for it;
    // the red side can name what green-cp lacks.
    assert.deepEqual(
      found.map((f) => f.fix),
      ['create ServiceMeshPeer red-mesh in green-cp'],
    );
  });

  test('a counterpart named differently but pointing back is accepted', () => {
    const docs = [peer('green-mesh', 'red-mesh-system'), peer('red', 'green-mesh-system', 'red.local/ns/red-mesh-system/sa/egress-green-mesh-service-account')];
    assert.deepEqual(of(checkDocuments(docs), 'federation/peer-reciprocal'), []);
  });
});

describe('federation/service-set-peer', () => {
  test('CLI/audit: sets named after a peer of their namespace pass', () => {
    const docs = [peer('green-mesh', 'red-mesh-system'), set('ExportedServiceSet', 'green-mesh', 'red-mesh-system'), set('ImportedServiceSet', 'green-mesh', 'red-mesh-system')];
    assert.deepEqual(of(checkDocuments(docs), 'federation/service-set-peer'), []);
  });

  test('CLI/audit: a set without its peer is an error when the inputs hold peers', () => {
    const docs = [peer('green-mesh', 'red-mesh-system'), peer('blue-mesh', 'red-mesh-system'), set('ExportedServiceSet', 'gren-mesh', 'red-mesh-system')];
    const found = of(checkDocuments(docs), 'federation/service-set-peer');
    assert.equal(found.length, 1);
    const f = found[0] as DocFinding;
    assert.equal(f.severity, 'error');
    assert.equal(f.index, 2);
    assert.equal(f.path, '/metadata/name');
    assert.match(f.message, /no ServiceMeshPeer named gren-mesh in red-mesh-system/);
    assert.match(f.fix ?? '', /\(green-mesh, blue-mesh\)/);
  });

  test('CLI/audit: a peer of the same name in another namespace does not count', () => {
    const docs = [peer('green-mesh', 'blue-mesh-system'), set('ImportedServiceSet', 'green-mesh', 'red-mesh-system')];
    const found = of(checkDocuments(docs), 'federation/service-set-peer');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.severity, 'error');
  });

  test('CLI/audit: no peer among the inputs at all is only a warning (they may not have been passed)', () => {
    const found = of(checkDocuments([set('ExportedServiceSet', 'green-mesh', 'red-mesh-system')]), 'federation/service-set-peer');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.severity, 'warning');
  });

  test('a set without a namespace matches a peer of that name in any namespace (applied with -n)', () => {
    assert.deepEqual(of(checkDocuments([peer('east-mesh', 'west-mesh-system'), set('ExportedServiceSet', 'east-mesh')]), 'federation/service-set-peer'), []);
  });

  test('admission with a peer cache: missing peer is a warning, the peer may be applied next', () => {
    const lookups = lookupsOf({}, [peer('green-mesh', 'red-mesh-system')]);
    const bad = check(set('ImportedServiceSet', 'blue-mesh', 'red-mesh-system'), { lookups }).findings.filter((f) => f.rule === 'federation/service-set-peer');
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.severity, 'warning');
    assert.match(bad[0]?.message ?? '', /the peer may be applied next/);
    assert.match(bad[0]?.fix ?? '', /green-mesh/);
    const good = check(set('ImportedServiceSet', 'green-mesh', 'red-mesh-system'), { lookups }).findings.filter((f) => f.rule === 'federation/service-set-peer');
    assert.deepEqual(good, []);
  });

  test('admission without a peer cache, or with an inventory: the validator stays silent', () => {
    const obj = set('ExportedServiceSet', 'nobody', 'red-mesh-system');
    assert.deepEqual(check(obj).findings.filter((f) => f.rule === 'federation/service-set-peer'), []);
    assert.deepEqual(check(obj, { lookups: lookupsOf({}) }).findings.filter((f) => f.rule === 'federation/service-set-peer'), []);
    const withInventory = check(obj, { lookups: lookupsOf({}, []), inventory: inventoryOf([obj]) });
    assert.deepEqual(withInventory.findings.filter((f) => f.rule === 'federation/service-set-peer'), []);
  });
});
