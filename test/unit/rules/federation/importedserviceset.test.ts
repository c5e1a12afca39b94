import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuleContext } from '../../../../src/engine/context.ts';
import type { KObject } from '../../../../src/engine/types.ts';
import { API, assertFindings, check, type Expected, findingsOf, topologyOf } from './harness.ts';

function iss(spec: Record<string, unknown>): KObject {
  return { apiVersion: API, kind: 'ImportedServiceSet', metadata: { name: 'red-mesh', namespace: 'green-mesh-system' }, spec };
}

const plain = { type: 'NameSelector', nameSelector: { namespace: 'bookinfo', alias: { namespace: 'green-mesh-bookinfo' } } };
const local = { type: 'NameSelector', importAsLocal: true, nameSelector: { namespace: 'bookinfo', alias: { namespace: 'bookinfo-ha', name: 'ratings' } } };

interface Case {
  name: string;
  spec: Record<string, unknown>;
  ctx?: Partial<RuleContext>;
  expect?: Expected;
}

const table: Record<string, Case[]> = {
  'federation/import-rule-type': [
    { name: 'NameSelector', spec: { importRules: [plain, local] } },
    {
      name: 'LabelSelector is export-only',
      spec: { importRules: [plain, { ...plain, type: 'LabelSelector' }] },
      expect: { path: '/spec/importRules/1/type', severity: 'error', message: /"LabelSelector"/, fix: /type: NameSelector/ },
    },
    { name: 'missing', spec: { importRules: [{ nameSelector: plain.nameSelector }] }, expect: { path: '/spec/importRules/0/type', severity: 'error', message: /not set/ } },
  ],
  'federation/import-rule-selector': [
    { name: 'with nameSelector', spec: { importRules: [plain] } },
    {
      name: 'without',
      spec: { importRules: [{ type: 'NameSelector', importAsLocal: false }] },
      expect: { path: '/spec/importRules/0/nameSelector', severity: 'error', message: /skips it/, fix: /namespace: bookinfo/ },
    },
  ],
  'federation/import-as-local-alias': [
    { name: 'fixed alias namespace', spec: { importRules: [local] } },
    { name: 'importAsLocal false needs no alias', spec: { importRules: [{ type: 'NameSelector', importAsLocal: false, nameSelector: { namespace: 'bookinfo' } }] } },
    {
      name: 'no alias',
      spec: { importRules: [{ type: 'NameSelector', importAsLocal: true, nameSelector: { namespace: 'bookinfo' } }] },
      expect: {
        path: '/spec/importRules/0/nameSelector/alias/namespace',
        severity: 'error',
        message: /alias\.namespace is not set/,
        fix: /^set spec\.importRules\[0\]\.nameSelector\.alias\.namespace to .*\(e\.g\. bookinfo\)$/,
      },
    },
    {
      name: 'wildcard alias',
      spec: { importRules: [{ type: 'NameSelector', importAsLocal: true, nameSelector: { namespace: 'bookinfo', alias: { namespace: '*' } } }] },
      expect: { path: '/spec/importRules/0/nameSelector/alias/namespace', severity: 'error', message: /"\*"/ },
    },
    {
      name: 'empty alias namespace',
      spec: { importRules: [{ type: 'NameSelector', importAsLocal: true, nameSelector: { namespace: 'bookinfo', alias: { namespace: '', name: 'x' } } }] },
      expect: { path: '/spec/importRules/0/nameSelector/alias/namespace', severity: 'error' },
    },
  ],
  'federation/import-domain-suffix': [
    { name: 'own suffix', spec: { domainSuffix: 'svc.red-mesh-imports.local', importRules: [{ ...plain, domainSuffix: 'federated.example' }] } },
    {
      name: 'rule suffix is the cluster suffix',
      spec: { importRules: [{ ...plain, domainSuffix: 'svc.cluster.local' }] },
      expect: { path: '/spec/importRules/0/domainSuffix', severity: 'error', message: /own domain suffix/, fix: /importAsLocal: true/ },
    },
    {
      name: 'spec suffix, case and dots ignored',
      spec: { domainSuffix: '.SVC.cluster.local.', importRules: [plain] },
      expect: { path: '/spec/domainSuffix', severity: 'error' },
    },
    {
      name: "the cluster's own suffix is taken from the context",
      spec: { importRules: [{ ...plain, domainSuffix: 'svc.corp.internal' }] },
      ctx: { clusterDomain: 'svc.corp.internal' },
      expect: { path: '/spec/importRules/0/domainSuffix', severity: 'error' },
    },
    { name: 'importAsLocal overrides the suffix', spec: { importRules: [{ ...local, domainSuffix: 'svc.cluster.local' }] } },
  ],
  'federation/import-locality': [
    { name: 'region and zone', spec: { locality: { region: 'us-west-2', zone: 'us-west-2a' }, importRules: [local] } },
    { name: 'region only', spec: { locality: { region: 'us-west-2' }, importRules: [local] } },
    {
      name: 'zone without region (region by naming convention)',
      spec: { locality: { zone: 'us-west-2a' }, importRules: [local] },
      expect: { path: '/spec/locality/zone', severity: 'error', message: /locality failover to imported services cannot work/, fix: /^set spec\.locality\.region: us-west-2$/ },
    },
    {
      name: 'zone without region (region from the topology)',
      spec: { locality: { zone: 'dc1-room-a' }, importRules: [local] },
      ctx: { topology: topologyOf([], [{ id: 'dc1-room-a', region: 'dc1' }]) },
      expect: { path: '/spec/locality/zone', severity: 'error', fix: /^set spec\.locality\.region: dc1$/ },
    },
    {
      name: 'subzone without zone',
      spec: { locality: { region: 'us-west-2', subzone: 'rack-1' }, importRules: [local] },
      expect: { path: '/spec/locality/subzone', severity: 'error', message: /zone is not set/ },
    },
    {
      name: 'subzone alone',
      spec: { locality: { subzone: 'rack-1' }, importRules: [local] },
      expect: { path: '/spec/locality/subzone', severity: 'error' },
    },
  ],
};

describe('ImportedServiceSet validation', () => {
  for (const [rule, cases] of Object.entries(table)) {
    for (const c of cases) {
      test(`${rule}: ${c.name}`, () => {
        const found = findingsOf(iss(c.spec), rule, c.ctx ?? {});
        assertFindings(found, c.expect);
      });
    }
  }

  test('a valid set has no defaults and no findings', () => {
    const r = check(iss({ locality: { region: 'us-west-2', zone: 'us-west-2a' }, importRules: [plain, local] }));
    assert.deepEqual(r.patch, []);
    assert.deepEqual(r.findings, []);
  });
});
