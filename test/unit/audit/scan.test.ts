// One scan over listed objects (served through a page function): the same engine with defaults on, cross-object
// rules over the whole inventory, bad objects as findings, filtered core kinds, incomplete scans; then the
// log lines and metrics a complete scan publishes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { ListPage } from '../../../src/audit/list.ts';
import { logFindings, recordScanMetrics } from '../../../src/audit/publish.ts';
import { scanCluster, type ScanResult } from '../../../src/audit/scan.ts';
import type { KObject } from '../../../src/engine/types.ts';
import { buildRegistry } from '../../../src/rules/index.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import { memoryLogger } from '../../helpers/log.ts';

const registry = buildRegistry();
const examples = new URL('../../../examples/', import.meta.url);
const load = (file: string) => parseAllDocuments(readFileSync(new URL(file, examples), 'utf8')).map((d) => d.toJS() as KObject);

let uid = 0;
/** A fake cluster: objects by kind, listed in pages of `limit`; `fail` makes a kind's list throw. */
function cluster(objects: KObject[], fail: Record<string, unknown> = {}): ListPage {
  const stored = objects.map((o) => ({ ...o, metadata: { ...o.metadata, uid: `uid-${++uid}` } }));
  return async ({ apiVersion, kind, limit, continueToken: token }) => {
    if (fail[kind]) throw fail[kind];
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    // Like the apiserver: items of that group and kind, without apiVersion/kind in the items.
    const all = stored.filter((o) => o.kind === kind && (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '') === group).map(({ apiVersion: _a, kind: _k, ...rest }) => rest as KObject);
    const start = token ? Number(token) : 0;
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return { items: all.slice(start, start + limit), metadata: next ? { continue: next } : {} };
  };
}

const peers = load('federation/broken/peer-reciprocal.yaml');
const brokenPeer: KObject = { apiVersion: 'federation.maistra.io/v1', kind: 'ServiceMeshPeer', metadata: { name: 'broken', namespace: 'red-mesh-system' }, spec: { remote: { addresses: 'not-a-list' } } };
const otherConfigMap: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'default' }, data: { a: 'b' } };
const find = (scan: ScanResult, ns: string, name: string) => scan.objects.find((o) => o.ref.namespace === ns && o.ref.name === name);

describe('scanCluster', () => {
  test('every object is evaluated with defaults on and cross-object rules see the whole inventory (across pages)', async () => {
    const scan = await scanCluster(cluster([...peers, otherConfigMap]), registry, { pageSize: 2 });
    assert.equal(scan.complete, true);
    assert.deepEqual(scan.problems, []);
    assert.equal(scan.objects.length, 5, 'the unrelated ConfigMap is not kept');
    assert.equal(scan.counts.get('ServiceMeshPeer'), 5);
    assert.equal(scan.counts.get('ConfigMap'), undefined);
    const oneSided = find(scan, 'blue-mesh-system', 'green-mesh');
    assert.ok(oneSided);
    assert.deepEqual(oneSided.ref, { apiVersion: 'federation.maistra.io/v1', kind: 'ServiceMeshPeer', namespace: 'blue-mesh-system', name: 'green-mesh', uid: oneSided.ref.uid, scope: 'Namespaced' });
    assert.match(oneSided.ref.uid, /^uid-/);
    assert.ok(oneSided.findings.some((f) => f.rule === 'federation/peer-reciprocal' && f.severity === 'error' && f.path === '/metadata/name'));
    // "Would mutate": the defaults admission would write show up as warnings.
    assert.ok(oneSided.findings.some((f) => f.severity === 'warning' && /^set spec\.remote\.discoveryPort=8188/.test(f.message)));
    // Without cluster lookups the rule that needs them says it was skipped.
    assert.ok(oneSided.findings.some((f) => f.rule === 'federation/certificate-chain-configmap' && f.severity === 'info' && /skipped/.test(f.message)));
  });

  test('an object that fails its schema is a finding of that object; the scan goes on', async () => {
    const scan = await scanCluster(cluster([...peers, brokenPeer]), registry, { pageSize: 500 });
    assert.equal(scan.complete, true);
    const broken = find(scan, 'red-mesh-system', 'broken');
    assert.ok(broken?.findings.some((f) => f.rule === 'schema/invalid' && f.severity === 'error' && f.path === '/spec/remote/addresses'));
    assert.equal(scan.objects.length, 6);
  });

  test('cluster lookups, when given, are used (the server passes its informer caches)', async () => {
    const scan = await scanCluster(cluster(peers), registry, { pageSize: 500, lookups: { configMap: () => undefined } });
    const f = find(scan, 'blue-mesh-system', 'green-mesh')?.findings.find((x) => x.rule === 'federation/certificate-chain-configmap');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.message ?? '', /ConfigMap blue-mesh-system\/green-mesh-ca-root-cert does not exist/);
  });

  test('per-rule overrides apply as at admission', async () => {
    const scan = await scanCluster(cluster(peers), registry, { pageSize: 500, overrides: new Map([['federation/peer-reciprocal', 'off']]) });
    assert.ok(!scan.objects.some((o) => o.findings.some((f) => f.rule === 'federation/peer-reciprocal')));
  });

  test('a kind that cannot be listed makes the scan incomplete, with the kind and status named', async () => {
    const forbidden = Object.assign(new Error('forbidden'), { code: 403, body: JSON.stringify({ message: 'servicemeshpeers is forbidden' }) });
    const scan = await scanCluster(cluster(peers, { ServiceMeshPeer: forbidden }), registry, { pageSize: 500 });
    assert.equal(scan.complete, false);
    assert.deepEqual(scan.problems, [{ kind: 'ServiceMeshPeer', status: 403, message: 'servicemeshpeers is forbidden' }]);
  });
});

describe('publishing a scan', () => {
  test('one audit.finding line per error/warning with stable fields; notes are one line per rule with a count', async () => {
    const scan = await scanCluster(cluster(peers), registry, { pageSize: 500 });
    const { log, lines } = memoryLogger();
    const counts = logFindings(scan, log);
    const findings = lines.filter((l) => l.event === 'audit.finding');
    const all = scan.objects.flatMap((o) => o.findings);
    assert.equal(findings.length, all.filter((f) => f.severity !== 'info').length);
    assert.equal(counts.errors, all.filter((f) => f.severity === 'error').length);
    assert.equal(counts.warnings, all.filter((f) => f.severity === 'warning').length);
    const line = findings.find((l) => l.rule === 'federation/peer-reciprocal');
    assert.ok(line);
    assert.deepEqual(
      { rule: line.rule, severity: line.severity, kind: line.kind, namespace: line.namespace, name: line.name, path: line.path, level: line.level },
      { rule: 'federation/peer-reciprocal', severity: 'error', kind: 'ServiceMeshPeer', namespace: 'blue-mesh-system', name: 'green-mesh', path: '/metadata/name', level: 40 },
    );
    assert.match(String(line.message), /no counterpart/);
    const notes = lines.filter((l) => l.event === 'audit.notes');
    const infos = all.filter((f) => f.severity === 'info');
    assert.equal(notes.length, new Set(infos.map((f) => f.rule)).size);
    assert.equal(notes.reduce((n, l) => n + Number(l.count), 0), infos.length);
  });

  test('metrics: findings by rule/severity/kind and objects by kind describe the last scan only', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const first = await scanCluster(cluster(peers), registry, { pageSize: 500 });
    recordScanMetrics(first, metrics, registry.kinds.map((k) => k.kind));
    let text = await metrics.registry.metrics();
    assert.match(text, /meshguard_audit_findings\{rule="federation\/peer-reciprocal",severity="error",kind="ServiceMeshPeer"\} 1/);
    assert.match(text, /meshguard_audit_objects_scanned\{kind="ServiceMeshPeer"\} 5/);
    assert.match(text, /meshguard_audit_objects_scanned\{kind="ASMPvlConfig"\} 0/);
    // Fixed: the missing peer exists now. Its series goes away instead of lingering at 1.
    const fixed = await scanCluster(cluster([...peers, { ...(peers[0] as KObject), metadata: { name: 'blue-mesh', namespace: 'green-mesh-system' }, spec: { remote: { addresses: ['ingress-green-mesh.blue-mesh-system.apps.domain.com'] } } }]), registry, { pageSize: 500 });
    recordScanMetrics(fixed, metrics);
    text = await metrics.registry.metrics();
    assert.doesNotMatch(text, /peer-reciprocal",severity="error"/);
    assert.match(text, /meshguard_audit_objects_scanned\{kind="ServiceMeshPeer"\} 6/);
  });
});
