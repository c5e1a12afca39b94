// PolicyReport building: naming, the wgpolicyk8s v1alpha2 fields, severity mapping, capping with a full
// summary, content hashing and timestamps that survive an unchanged result.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RULE_FAILED } from '../../../src/engine/evaluate.ts';
import type { Finding } from '../../../src/engine/types.ts';
import {
  buildReport,
  HASH_ANNOTATION,
  MAX_NAME,
  needsReport,
  OMITTED_ANNOTATION,
  reportName,
  resultOf,
  type ObjectRef,
} from '../../../src/audit/report.ts';
import { buildRegistry } from '../../../src/rules/index.ts';

const pvl: ObjectRef = { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', namespace: 'istio-system', name: 'pvl', uid: 'u-1', scope: 'Namespaced' };
const topo: ObjectRef = { apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', namespace: '', name: 'default', uid: 'u-2', scope: 'Cluster' };
const now = new Date('2026-03-01T10:00:00.250Z');
const err = (rule: string, path = '/metadata/name', message = 'bad'): Finding => ({ rule, severity: 'error', path, message, fix: 'do this' });
const warn = (rule: string, path = '/spec/x', message = 'meh'): Finding => ({ rule, severity: 'warning', path, message });
const note = (rule: string): Finding => ({ rule, severity: 'info', path: '', message: 'skipped: needs a MeshTopology' });
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('report names', () => {
  test('short names: meshguard-<kind>-<name>, lower case', () => {
    assert.equal(reportName(pvl), 'meshguard-asmpvlconfig-pvl');
    assert.equal(reportName(topo), 'meshguard-meshtopology-default');
  });

  test('long names are cut to 63 with a hash: valid, deterministic, distinct for names sharing a prefix', () => {
    const long = (name: string) => reportName({ ...pvl, kind: 'ExportedServiceSet', name });
    const a = long(`${'a'.repeat(60)}-one`);
    const b = long(`${'a'.repeat(60)}-two`);
    for (const n of [a, b]) {
      assert.ok(n.length <= MAX_NAME, n);
      assert.match(n, DNS_SUBDOMAIN);
      assert.ok(n.startsWith('meshguard-exportedserviceset-aaaa'));
    }
    assert.notEqual(a, b);
    assert.equal(long(`${'a'.repeat(60)}-one`), a);
  });

  test('a cut that lands on a dot or dash still ends alphanumeric', () => {
    // 'meshguard-asmpvlconfig-' plus 29 characters of the name survive the cut: i = 26..28 puts '.' or '-' last.
    const names = new Set<string>();
    for (let i = 20; i < 36; i++) {
      const n = reportName({ ...pvl, name: `${'b'.repeat(i)}.y-x${'c'.repeat(80)}` });
      assert.match(n, DNS_SUBDOMAIN, n);
      assert.ok(n.length <= MAX_NAME);
      names.add(n);
    }
    assert.equal(names.size, 16);
  });

  test('the same name in another namespace hashes differently once cut (namespace is part of the hash)', () => {
    const name = 'x'.repeat(100);
    assert.notEqual(reportName({ ...pvl, name }), reportName({ ...pvl, namespace: 'other', name }));
  });

  test('served kinds are unique by name, so kind + name identifies the resource within a namespace', () => {
    const kinds = buildRegistry().kinds.map((k) => k.kind.toLowerCase());
    assert.equal(new Set(kinds).size, kinds.length, kinds.join(', '));
  });
});

describe('results', () => {
  test('severity mapping: error → fail/high, warning → warn/medium, info → skip/info, rule failure → error', () => {
    assert.deepEqual(resultOf(err('a/b')), { result: 'fail', severity: 'high' });
    assert.deepEqual(resultOf(warn('a/b')), { result: 'warn', severity: 'medium' });
    assert.deepEqual(resultOf(note('a/b')), { result: 'skip', severity: 'info' });
    assert.deepEqual(resultOf({ rule: RULE_FAILED, severity: 'warning', path: '', message: 'rule x failed' }), { result: 'error', severity: 'medium' });
  });

  test('a namespaced resource: PolicyReport in its namespace, scope and owner reference point at it, labelled', () => {
    const r = buildReport(pvl, [err('asm-pvl/name-must-be-default'), warn('asm-pvl/default-zone-id'), note('asm-pvl/vswitch-exists')], { now });
    assert.equal(r.apiVersion, 'wgpolicyk8s.io/v1alpha2');
    assert.equal(r.kind, 'PolicyReport');
    assert.equal(r.metadata.name, 'meshguard-asmpvlconfig-pvl');
    assert.equal(r.metadata.namespace, 'istio-system');
    assert.deepEqual(r.metadata.labels, { 'app.kubernetes.io/managed-by': 'meshguard' });
    assert.deepEqual(r.metadata.ownerReferences, [
      { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', name: 'pvl', uid: 'u-1', controller: false, blockOwnerDeletion: false },
    ]);
    assert.deepEqual(r.scope, { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', namespace: 'istio-system', name: 'pvl', uid: 'u-1' });
    assert.deepEqual(r.summary, { pass: 0, fail: 1, warn: 1, error: 0, skip: 1 });
    assert.deepEqual(r.results[0], {
      source: 'meshguard',
      policy: 'asm-pvl',
      rule: 'asm-pvl/name-must-be-default',
      result: 'fail',
      severity: 'high',
      message: 'bad',
      properties: { path: '/metadata/name', fix: 'do this' },
      timestamp: { seconds: 1772359200, nanos: 250_000_000 },
    });
    assert.deepEqual(r.results.map((x) => x.result), ['fail', 'warn', 'skip']);
    assert.equal(r.metadata.annotations[OMITTED_ANNOTATION], undefined);
  });

  test('a cluster-scoped resource: ClusterPolicyReport without namespaces', () => {
    const r = buildReport(topo, [err('topology/cidr-overlap', '/spec/vpcs/0/cidrs/1')], { now });
    assert.equal(r.kind, 'ClusterPolicyReport');
    assert.equal(r.metadata.namespace, undefined);
    assert.equal('namespace' in r.scope, false);
    assert.equal(r.metadata.ownerReferences[0]?.kind, 'MeshTopology');
  });

  test('results are capped; the summary counts them all and an annotation says how many were left out', () => {
    const findings = [
      ...Array.from({ length: 40 }, (_, i) => warn('istio-dr/w', `/spec/a/${i}`)),
      ...Array.from({ length: 30 }, (_, i) => err('istio-dr/e', `/spec/b/${i}`)),
      ...Array.from({ length: 5 }, (_, i) => note(`istio-dr/n${i}`)),
    ];
    const r = buildReport(pvl, findings, { now, maxResults: 50 });
    assert.equal(r.results.length, 50);
    assert.deepEqual(r.summary, { pass: 0, fail: 30, warn: 40, error: 0, skip: 5 });
    assert.equal(r.metadata.annotations[OMITTED_ANNOTATION], '25');
    // Failures first: all 30 errors are kept, then warnings fill the rest.
    assert.equal(r.results.filter((x) => x.result === 'fail').length, 30);
    assert.equal(r.results.filter((x) => x.result === 'skip').length, 0);
  });

  test('the default cap is 50', () => {
    const r = buildReport(pvl, Array.from({ length: 80 }, (_, i) => err('a/b', `/p/${i}`)), { now });
    assert.equal(r.results.length, 50);
    assert.equal(r.summary.fail, 80);
  });

  test('the same finding twice is one result', () => {
    const r = buildReport(pvl, [err('a/b'), err('a/b')], { now });
    assert.equal(r.results.length, 1);
    assert.equal(r.summary.fail, 1);
  });
});

describe('change detection', () => {
  const findings = [err('asm-pvl/name-must-be-default'), warn('asm-pvl/default-zone-id')];

  test('the content hash ignores time and changes with the findings, the owner uid and the cap', () => {
    const a = buildReport(pvl, findings, { now });
    const b = buildReport(pvl, findings, { now: new Date(now.getTime() + 60_000) });
    assert.equal(a.metadata.annotations[HASH_ANNOTATION], b.metadata.annotations[HASH_ANNOTATION]);
    assert.match(a.metadata.annotations[HASH_ANNOTATION] ?? '', /^[0-9a-f]{16}$/);
    const changed = [
      buildReport(pvl, [findings[0] as Finding], { now }),
      buildReport(pvl, [err('asm-pvl/name-must-be-default', '/metadata/name', 'other text'), findings[1] as Finding], { now }),
      buildReport({ ...pvl, uid: 'u-new' }, findings, { now }),
      buildReport(pvl, findings, { now, maxResults: 1 }),
    ];
    for (const c of changed) assert.notEqual(c.metadata.annotations[HASH_ANNOTATION], a.metadata.annotations[HASH_ANNOTATION]);
  });

  test('an unchanged result keeps the time it was first found; a new one gets the scan time', () => {
    const first = buildReport(pvl, [findings[0] as Finding], { now });
    const later = new Date(now.getTime() + 3_600_000);
    const second = buildReport(pvl, findings, { now: later, previous: first });
    const kept = second.results.find((r) => r.rule === 'asm-pvl/name-must-be-default');
    const fresh = second.results.find((r) => r.rule === 'asm-pvl/default-zone-id');
    assert.deepEqual(kept?.timestamp, { seconds: 1772359200, nanos: 250_000_000 });
    assert.deepEqual(fresh?.timestamp, { seconds: Math.floor(later.getTime() / 1000), nanos: 250_000_000 });
  });

  test('a report is kept only while there is something to act on', () => {
    assert.equal(needsReport([]), false);
    assert.equal(needsReport([note('a/b')]), false);
    assert.equal(needsReport([note('a/b'), warn('a/c')]), true);
    assert.equal(needsReport([err('a/b')]), true);
  });
});
