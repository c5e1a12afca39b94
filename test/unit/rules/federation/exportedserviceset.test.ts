import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../../../../src/engine/types.ts';
import { labelKeyProblem, labelValueOk } from '../../../../src/rules/federation/exportedserviceset.ts';
import { API, assertFindings, check, type Expected, findingsOf } from './harness.ts';

function ess(exportRules: unknown[], meta: Record<string, unknown> = {}): KObject {
  return { apiVersion: API, kind: 'ExportedServiceSet', metadata: { name: 'green-mesh', namespace: 'red-mesh-system', ...meta }, spec: { exportRules } };
}

const byName = { type: 'NameSelector', nameSelector: { namespace: 'red-mesh-bookinfo', name: 'ratings', alias: { namespace: 'bookinfo', name: 'ratings' } } };
const byLabel = { type: 'LabelSelector', labelSelector: { namespace: 'red-mesh-bookinfo', selector: { matchLabels: { 'export-service': 'true' } } } };

interface Case {
  name: string;
  rules: unknown[];
  expect?: Expected;
}

const table: Record<string, Case[]> = {
  'federation/export-rule-type': [
    { name: 'both types', rules: [byName, byLabel] },
    {
      name: 'short form "Name"',
      rules: [byName, { ...byName, type: 'Name' }],
      expect: { path: '/spec/exportRules/1/type', severity: 'error', message: /"Name"/, fix: /^set spec\.exportRules\[1\]\.type: NameSelector$/ },
    },
    { name: 'wrong case', rules: [{ ...byLabel, type: 'labelselector' }], expect: { path: '/spec/exportRules/0/type', severity: 'error', fix: /LabelSelector$/ } },
    {
      name: 'missing type with a labelSelector',
      rules: [{ labelSelector: byLabel.labelSelector }],
      expect: { path: '/spec/exportRules/0/type', severity: 'error', message: /not set/, fix: /LabelSelector$/ },
    },
  ],
  'federation/export-rule-selector': [
    { name: 'matching selectors', rules: [byName, byLabel] },
    { name: 'an empty label selector selects everything (valid)', rules: [{ type: 'LabelSelector', labelSelector: {} }] },
    {
      name: 'LabelSelector with only a nameSelector',
      rules: [{ type: 'LabelSelector', nameSelector: byName.nameSelector }],
      expect: { path: '/spec/exportRules/0/labelSelector', severity: 'error', count: 2, message: /no labelSelector/, fix: /type: NameSelector/ },
    },
    {
      name: 'NameSelector with both selectors',
      rules: [{ ...byName, labelSelector: byLabel.labelSelector }],
      expect: { path: '/spec/exportRules/0/labelSelector', severity: 'error', message: /ignored because the rule's type is NameSelector/, fix: /remove spec\.exportRules\[0\]\.labelSelector/ },
    },
    {
      name: 'NameSelector with no selector',
      rules: [{ type: 'NameSelector' }],
      expect: { path: '/spec/exportRules/0/nameSelector', severity: 'error', fix: /add spec\.exportRules\[0\]\.nameSelector/ },
    },
    { name: 'an invalid type is left to export-rule-type', rules: [{ type: 'Other' }] },
  ],
  'federation/export-label-selector': [
    {
      name: 'every operator',
      rules: [
        {
          type: 'LabelSelector',
          labelSelector: {
            selector: {
              matchLabels: { 'app.kubernetes.io/name': 'ratings', tier: '' },
              matchExpressions: [
                { key: 'app', operator: 'In', values: ['a', 'b'] },
                { key: 'app', operator: 'NotIn', values: ['c'] },
                { key: 'federated', operator: 'Exists' },
                { key: 'internal', operator: 'DoesNotExist', values: [] },
              ],
            },
          },
        },
      ],
    },
    {
      name: 'In without values',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchExpressions/0/values', severity: 'error', message: /In with no values/, fix: /Exists/ },
    },
    {
      name: 'Exists with values',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchExpressions/0/values', severity: 'error', fix: /remove values/ },
    },
    {
      name: 'unknown operator',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['x'] }] } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchExpressions/0/operator', severity: 'error', fix: /^set operator: In$/ },
    },
    {
      name: 'bad key in matchLabels',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchLabels: { 'bad key': 'x' } } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchLabels/bad key', severity: 'error', message: /not a label key/ },
    },
    {
      name: 'bad value in matchLabels',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchLabels: { app: 'a b' } } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchLabels/app', severity: 'error', message: /not a label value/ },
    },
    {
      name: 'bad value in values',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', '-bad'] }] } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchExpressions/0/values/1', severity: 'error' },
    },
    {
      name: 'missing key',
      rules: [{ type: 'LabelSelector', labelSelector: { selector: { matchExpressions: [{ operator: 'Exists' }] } } }],
      expect: { path: '/spec/exportRules/0/labelSelector/selector/matchExpressions/0/key', severity: 'error', message: /not set/ },
    },
  ],
};

describe('ExportedServiceSet validation', () => {
  for (const [rule, cases] of Object.entries(table)) {
    for (const c of cases) {
      test(`${rule}: ${c.name}`, () => {
        const found = findingsOf(ess(c.rules), rule);
        assertFindings(found, c.expect);
      });
    }
  }

  test('a valid set has no defaults and no findings beyond the skipped admission-time peer check', () => {
    const r = check(ess([byName, byLabel]));
    assert.deepEqual(r.patch, []);
    assert.deepEqual(r.findings, []);
  });

  test('label key and value syntax', () => {
    for (const k of ['app', 'app.kubernetes.io/name', 'a_b.c-d', 'x'.repeat(63), 'example.com/' + 'y'.repeat(63)]) assert.equal(labelKeyProblem(k), undefined, k);
    for (const k of ['', '/app', 'Example.com/app', 'app/', 'x'.repeat(64), '-app', 'a/b/c']) assert.notEqual(labelKeyProblem(k), undefined, k);
    for (const v of ['', 'true', 'v1.2_3']) assert.ok(labelValueOk(v), v);
    for (const v of ['a b', '-x', 'x'.repeat(64)]) assert.ok(!labelValueOk(v), v);
  });
});
