import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../../../../src/engine/types.ts';
import {
  IMPORTED_SERVICE_SET_FIELDS,
  likelyMeant,
  nearestPlace,
  placesOf,
  render,
  strayFields,
} from '../../../../src/rules/federation/fields.ts';
import { API, assertFindings, type Expected, findingsOf, seedPeer } from './harness.ts';

function kobj(kind: string, name: string, spec: unknown, extra: Record<string, unknown> = {}): KObject {
  return { apiVersion: API, kind, metadata: { name, namespace: 'green-mesh-system' }, spec, ...extra };
}

interface Case {
  name: string;
  obj: KObject;
  expect?: Expected;
}

const table: Record<string, Case[]> = {
  'federation/misplaced-field': [
    { name: 'seed peer', obj: seedPeer() },
    {
      name: 'importAsLocal inside nameSelector (ImportedServiceSet)',
      obj: kobj('ImportedServiceSet', 'red-mesh', {
        importRules: [{ type: 'NameSelector', nameSelector: { namespace: 'a' } }, { type: 'NameSelector', nameSelector: { namespace: 'b', importAsLocal: true, alias: { namespace: 'b' } } }],
      }),
      expect: {
        path: '/spec/importRules/1/nameSelector/importAsLocal',
        severity: 'error',
        message: /^spec\.importRules\[1\]\.nameSelector\.importAsLocal is not a field of nameSelector, so the API server drops it; importAsLocal belongs at spec\.importRules\[1\]\.importAsLocal$/,
        fix: /^move importAsLocal: true to spec\.importRules\[1\]\.importAsLocal$/,
      },
    },
    {
      name: 'domainSuffix inside nameSelector goes to the rule, the nearest place',
      obj: kobj('ImportedServiceSet', 'red-mesh', { importRules: [{ type: 'NameSelector', nameSelector: { namespace: 'a', domainSuffix: 'x.local' } }] }),
      expect: { path: '/spec/importRules/0/nameSelector/domainSuffix', severity: 'error', fix: /to spec\.importRules\[0\]\.domainSuffix$/ },
    },
    {
      name: 'already set at the right place',
      obj: kobj('ImportedServiceSet', 'red-mesh', { importRules: [{ type: 'NameSelector', importAsLocal: false, nameSelector: { namespace: 'a', importAsLocal: true } }] }),
      expect: { path: '/spec/importRules/0/nameSelector/importAsLocal', severity: 'error', fix: /^remove .*already set \(false\)$/ },
    },
    {
      name: 'locality inside an import rule',
      obj: kobj('ImportedServiceSet', 'red-mesh', { importRules: [{ type: 'NameSelector', nameSelector: { namespace: 'a' }, locality: { region: 'r' } }] }),
      expect: { path: '/spec/importRules/0/locality', severity: 'error', message: /not a field of an entry of importRules.*belongs at spec\.locality$/ },
    },
    {
      name: 'trustDomain directly under spec (ServiceMeshPeer)',
      obj: seedPeer({ spec: { trustDomain: 'green-mesh.local' } }),
      expect: { path: '/spec/trustDomain', severity: 'error', message: /belongs at spec\.security\.trustDomain$/, fix: /already set/ },
    },
    {
      name: 'security at the top level',
      obj: seedPeer({ security: { clientID: 'x' } }),
      expect: { path: '/security', severity: 'error', message: /not a field of ServiceMeshPeer.*belongs at spec\.security$/ },
    },
    {
      name: 'nameSelector directly under spec (ExportedServiceSet): inside an entry of exportRules',
      obj: kobj('ExportedServiceSet', 'red-mesh', { nameSelector: { namespace: 'a' }, exportRules: [] }),
      expect: { path: '/spec/nameSelector', severity: 'error', message: /belongs at spec\.exportRules\[\]\.nameSelector$/ },
    },
    {
      name: 'importAsLocal in an export rule is a field of another kind, so only unknown here',
      obj: kobj('ExportedServiceSet', 'red-mesh', { exportRules: [{ type: 'NameSelector', nameSelector: { namespace: 'a' }, importAsLocal: true }] }),
    },
  ],
  'federation/unknown-field': [
    { name: 'seed peer', obj: seedPeer() },
    {
      name: 'clientId (case slip)',
      obj: seedPeer({ spec: { security: { clientId: 'x' } } }),
      expect: { path: '/spec/security/clientId', severity: 'warning', message: /not declared by the ServiceMeshPeer CRD/, fix: /^rename clientId to clientID$/ },
    },
    {
      name: 'typo',
      obj: kobj('ImportedServiceSet', 'red-mesh', { importRules: [{ type: 'NameSelector', importAsLoacl: true, nameSelector: { namespace: 'a' } }] }),
      expect: { path: '/spec/importRules/0/importAsLoacl', severity: 'warning', fix: /rename importAsLoacl to importAsLocal/ },
    },
    {
      name: 'nothing close',
      obj: kobj('ExportedServiceSet', 'red-mesh', { exportRules: [{ type: 'NameSelector', nameSelector: { namespace: 'a' }, importAsLocal: true }] }),
      expect: { path: '/spec/exportRules/0/importAsLocal', severity: 'warning', fix: /declared here: type, nameSelector, labelSelector/ },
    },
    { name: 'metadata and status are free-form', obj: seedPeer({ metadata: { labels: { a: 'b' }, whatever: 1 }, status: { discoveryStatus: { x: 1 } } }) },
    { name: 'matchLabels is a map', obj: kobj('ExportedServiceSet', 'red-mesh', { exportRules: [{ type: 'LabelSelector', labelSelector: { selector: { matchLabels: { anyKey: 'v' } } } }] }) },
  ],
};

describe('fields the CRD would prune', () => {
  for (const [rule, cases] of Object.entries(table)) {
    for (const c of cases) {
      test(`${rule}: ${c.name}`, () => {
        const found = findingsOf(c.obj, rule);
        assertFindings(found, c.expect);
      });
    }
  }

  test('helpers: places, nearest place, rendering, stray fields, likely meant', () => {
    assert.deepEqual(placesOf(IMPORTED_SERVICE_SET_FIELDS, 'domainSuffix'), [
      ['spec', 'domainSuffix'],
      ['spec', 'importRules', '*', 'domainSuffix'],
    ]);
    const places = placesOf(IMPORTED_SERVICE_SET_FIELDS, 'domainSuffix');
    assert.deepEqual(nearestPlace(places, ['spec', 'importRules', 3, 'nameSelector']), ['spec', 'importRules', 3, 'domainSuffix']);
    assert.deepEqual(nearestPlace(places, ['spec', 'locality']), ['spec', 'domainSuffix']);
    assert.equal(nearestPlace([], ['spec']), undefined);
    assert.equal(render(['spec', 'importRules', 2, 'nameSelector']), 'spec.importRules[2].nameSelector');
    assert.equal(render(['spec', 'importRules', '*', 'type']), 'spec.importRules[].type');
    const strays = strayFields({ spec: { importRules: [{ type: 'NameSelector', x: 1 }], y: 2 }, metadata: { z: 3 } }, IMPORTED_SERVICE_SET_FIELDS);
    assert.deepEqual(
      strays.map((s) => [render([...s.parent, s.key]), s.value]),
      [
        ['spec.importRules[0].x', 1],
        ['spec.y', 2],
      ],
    );
    assert.equal(likelyMeant('ClientID', ['trustDomain', 'clientID']), 'clientID');
    assert.equal(likelyMeant('trustDomian', ['trustDomain', 'clientID']), 'trustDomain');
    assert.equal(likelyMeant('foo', ['for']), undefined, 'short names are not guessed at');
    assert.equal(likelyMeant('completelyDifferent', ['trustDomain']), undefined);
  });
});
