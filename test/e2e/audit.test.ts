// The background audit for real: resources created while meshguard was off, `meshguard audit`, then
// `meshguard serve --audit-interval` replicas against the real apiserver: PolicyReports with the right
// results, fixed resources cleared, one scanning replica (Lease), takeover on SIGTERM and on a crash,
// log-only mode, a scan after a MeshTopology change, and RBAC: the chart's is enough, a narrower one is
// reported at startup.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from './harness/controlplane.ts';
import { CHART, MAIN, startMeshguard, type Meshguard } from './harness/meshguard.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { auditClients } from '../../src/audit/clients.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { LeaderElector } from '../../src/kube/lease.ts';
import { memoryLogger } from '../helpers/log.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const TOPOLOGY_CRD = fileURLToPath(new URL('../../charts/meshguard/crds/meshtopology.yaml', import.meta.url));

const LEASE_NS = 'meshguard';

const pvl = `
apiVersion: istio.alibabacloud.com/v1beta1
kind: ASMPvlConfig
metadata: {name: pvl, namespace: istio-system}
spec:
  ackVpcEndpoint:
  - clusterId: c-ack-hz
    vSwitches: [{vSwitchId: vsw-bp1jsgsanpvxpj32yai50, zoneId: cn-hangzhou-i}]
  asmVpcEndpoint:
    vSwitches: [{vSwitchId: vsw-bp1l5hini55sstnwd2skf, zoneId: cn-hangzhou-i}]
`;

const dr = (fixed: boolean) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: mesh-apps}
spec:
  host: reviews
  trafficPolicy:${fixed ? '\n    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m}' : ''}
    loadBalancer:
      localityLbSetting:
        failover:
        - {from: cn-shanghai, to: cn-hangzhou}
        - {from: cn-hangzhou, to: cn-shanghai}
`;

const missingPeer = `
apiVersion: federation.maistra.io/v1
kind: ServiceMeshPeer
metadata: {name: blue-mesh, namespace: green-mesh-system}
spec: {remote: {addresses: [ingress-green-mesh.blue-mesh-system.apps.domain.com]}}
`;

interface Report {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: Array<Record<string, unknown>> };
  scope: Record<string, string>;
  summary: Record<string, number>;
  results: Array<{ source: string; policy: string; rule: string; result: string; severity: string; message: string; properties: Record<string, string>; timestamp: { seconds: number; nanos: number } }>;
}

let cp: ControlPlane;
const running: Replica[] = [];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function getJson<T>(args: string[]): Promise<T | undefined> {
  const r = await cp.kubectl([...args, '-o', 'json'], { allowFail: true });
  return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
}

const report = (ns: string, name: string) => getJson<Report>(['get', 'policyreports.wgpolicyk8s.io', name, '-n', ns]);
const uidOf = async (resource: string, ns: string, name: string) => (await cp.kubectl(['get', resource, name, '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).stdout;
const leaseHolder = async (name: string) => (await getJson<{ spec: { holderIdentity?: string } }>(['get', 'lease', name, '-n', LEASE_NS]))?.spec.holderIdentity ?? '';
const identityOf = (mg: Replica) => String(mg.logs().find((l) => l.event === 'audit.starting')?.identity ?? '');
const scans = (mg: Replica, outcome = 'complete') => mg.logs().filter((l) => l.event === 'audit.scan' && l.outcome === outcome);
const started = (mg: Replica) => mg.logs().filter((l) => l.event === 'audit.scan.started');

type Replica = Meshguard;

/** A `meshguard serve` replica (the harness' startMeshguard), stopped at the end; returned once it listens, not once ready (a narrow ServiceAccount's informers may never sync). */
async function serve(args: string[], kubeconfig = cp.kubeconfig): Promise<Replica> {
  const replica = await startMeshguard(cp, { kubeconfig, waitReady: false, args: ['--lease-namespace', LEASE_NS, ...args] });
  running.push(replica);
  return replica;
}

async function stopAll(): Promise<void> {
  while (running.length > 0) await running.pop()?.stop();
}

function runAudit(args: string[], kubeconfig = cp.kubeconfig): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'audit', '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function metricsText(mg: Replica): Promise<string> {
  return (await fetch(`http://127.0.0.1:${mg.healthPort}/metrics`)).text();
}

before(async () => {
  cp = await startControlPlane();
  await cp.applyUpstreamCrds();
  await cp.kubectl(['apply', '--server-side', '-f', TOPOLOGY_CRD]);
  for (const ns of [LEASE_NS, 'istio-system', 'red-mesh-system', 'green-mesh-system', 'blue-mesh-system', 'mesh-apps']) await cp.kubectl(['create', 'namespace', ns]);
  // Created while meshguard is off: nothing admitted or mutated them.
  await cp.kubectl(['apply', '-f', '-'], { input: pvl });
  await cp.kubectl(['apply', '-f', join(EXAMPLES, 'federation/broken/peer-reciprocal.yaml')]);
  await cp.kubectl(['apply', '-f', '-'], { input: dr(false) });
  // The valid ASM example: notes only (no MeshTopology yet), so it gets no report.
  await cp.kubectl(['apply', '-f', '-'], { input: readFileSync(join(EXAMPLES, 'asm/asmpvlconfig.yaml'), 'utf8').replace(/namespace: .*/, 'namespace: istio-system') });
}, { timeout: 60 * 60_000 });

after(async () => {
  await stopAll();
  await cp?.stop();
});

describe('meshguard audit (one scan from a kubeconfig)', () => {
  test('prints what is wrong with resources that were created while meshguard was off, exit 1', async () => {
    const r = await runAudit([]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /cluster:1: error ASMPvlConfig istio-system\/pvl: \[asm-pvl\/name-must-be-default\]/);
    assert.match(r.stdout, /error ServiceMeshPeer blue-mesh-system\/green-mesh: \[federation\/peer-reciprocal\]/);
    assert.match(r.stdout, /warning DestinationRule mesh-apps\/reviews: \[istio-dr\/inject-outlier-detection\] set spec\.trafficPolicy\.outlierDetection=/);
    assert.match(r.stdout, /\d+ resources checked: \d+ errors, \d+ warnings/);
  });

  test('pages through every kind (limit/continue on the real apiserver): --page-size 1 sees the same', async () => {
    const small = await runAudit(['-o', 'json', '--page-size', '1']);
    const big = await runAudit(['-o', 'json']);
    assert.equal(small.code, 1, small.stderr);
    const a = JSON.parse(small.stdout) as { summary: { resources: number } };
    assert.equal(a.summary.resources, 8, '2 ASMPvlConfigs, 5 ServiceMeshPeers (one page each), 1 DestinationRule');
    assert.deepEqual(JSON.parse(small.stdout), JSON.parse(big.stdout));
  });

  test('--output json is exactly check\'s document', async () => {
    const r = await runAudit(['-o', 'json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; summary: { resources: number; errors: number; warnings: number } };
    assert.deepEqual(Object.keys(doc), ['findings', 'summary']);
    const f = doc.findings.find((x) => x.rule === 'asm-pvl/name-must-be-default');
    assert.deepEqual(f, {
      file: 'cluster', index: 0, apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', namespace: 'istio-system', name: 'pvl',
      rule: 'asm-pvl/name-must-be-default', severity: 'error', path: '/metadata/name', message: f?.message,
    });
    assert.equal(doc.summary.resources, 8, '1 + 1 ASMPvlConfig, 5 ServiceMeshPeers, 1 DestinationRule');
    assert.equal(doc.summary.errors, doc.findings.filter((x) => x.severity === 'error').length);
  });
});

describe('background audit in meshguard serve', () => {
  let a: Replica;

  test('the next scan writes a PolicyReport per resource with something to fix, with the right results', { timeout: 60_000 }, async () => {
    a = await serve(['--audit-interval', '2s']);
    const r = await waitFor('the ASMPvlConfig report', () => report('istio-system', 'meshguard-asmpvlconfig-pvl'));
    assert.equal(r.kind, 'PolicyReport');
    assert.equal(r.metadata.labels?.['app.kubernetes.io/managed-by'], 'meshguard');
    const uid = await uidOf('asmpvlconfig', 'istio-system', 'pvl');
    assert.deepEqual(r.scope, { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', namespace: 'istio-system', name: 'pvl', uid });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', name: 'pvl', uid, controller: false, blockOwnerDeletion: false }]);
    const fail = r.results.find((x) => x.rule === 'asm-pvl/name-must-be-default');
    assert.ok(fail, JSON.stringify(r.results));
    assert.equal(fail.source, 'meshguard');
    assert.equal(fail.policy, 'asm-pvl');
    assert.equal(fail.result, 'fail');
    assert.equal(fail.severity, 'high');
    assert.equal(fail.properties.path, '/metadata/name');
    assert.match(fail.properties.fix ?? '', /metadata\.name: default/);
    assert.ok(fail.timestamp.seconds > 1_700_000_000);
    assert.equal(r.summary.fail, r.results.filter((x) => x.result === 'fail').length);
    // Notes (rules skipped without a MeshTopology) are there as skip results.
    assert.ok(r.results.some((x) => x.result === 'skip' && x.rule === 'asm-pvl/vswitch-exists'));

    // "Would mutate": the default admission would inject is a warn result.
    const d = await waitFor('the DestinationRule report', () => report('mesh-apps', 'meshguard-destinationrule-reviews'));
    const inject = d.results.find((x) => x.rule === 'istio-dr/inject-outlier-detection');
    assert.equal(inject?.result, 'warn');
    assert.equal(inject?.severity, 'medium');
    assert.match(inject?.message ?? '', /^set spec\.trafficPolicy\.outlierDetection=/);

    // The cross-object rule lands on the one-sided peer.
    const p = await waitFor('the peer report', () => report('blue-mesh-system', 'meshguard-servicemeshpeer-green-mesh'));
    assert.equal(p.results.find((x) => x.rule === 'federation/peer-reciprocal')?.result, 'fail');

    // The valid ASMPvlConfig has nothing to act on: no report.
    assert.equal(await report('istio-system', 'meshguard-asmpvlconfig-default'), undefined);
    // One log line per finding.
    const line = a.logs().find((l) => l.event === 'audit.finding' && l.rule === 'asm-pvl/name-must-be-default');
    assert.deepEqual(
      line && { kind: line.kind, namespace: line.namespace, name: line.name, path: line.path, severity: line.severity },
      { kind: 'ASMPvlConfig', namespace: 'istio-system', name: 'pvl', path: '/metadata/name', severity: 'error' },
    );
  });

  test('an unchanged cluster rewrites nothing', { timeout: 30_000 }, async () => {
    const rv = async () => (await getJson<{ metadata: { resourceVersion: string } }>(['get', 'policyreports.wgpolicyk8s.io', 'meshguard-asmpvlconfig-pvl', '-n', 'istio-system']))?.metadata.resourceVersion;
    const before = await rv();
    const n = scans(a).length;
    await waitFor('two more scans', () => scans(a).length >= n + 2, 20_000);
    assert.equal(await rv(), before);
    const last = scans(a).at(-1) as { reports?: { created: number; updated: number; deleted: number; unchanged: number } };
    assert.deepEqual([last.reports?.created, last.reports?.updated, last.reports?.deleted], [0, 0, 0]);
    assert.ok((last.reports?.unchanged ?? 0) >= 3);
  });

  test('metrics: findings by rule/severity/kind, objects scanned, duration, last success, leader', async () => {
    const text = await metricsText(a);
    assert.match(text, /meshguard_audit_findings\{rule="asm-pvl\/name-must-be-default",severity="error",kind="ASMPvlConfig"\} 1/);
    assert.match(text, /meshguard_audit_objects_scanned\{kind="ServiceMeshPeer"\} 5/);
    assert.match(text, /meshguard_audit_scan_duration_seconds_count [1-9]/);
    const last = Number(/^meshguard_audit_last_success_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
    assert.ok(Date.now() / 1000 - last < 30, String(last));
    assert.match(text, /meshguard_audit_leader 1/);
    assert.match(text, /meshguard_audit_scans_total\{outcome="complete"\} [1-9]/);
  });

  test('fixing a resource clears its report; fixing one of its problems updates it, keeping old results\' timestamps', { timeout: 60_000 }, async () => {
    const peerBefore = await report('blue-mesh-system', 'meshguard-servicemeshpeer-green-mesh');
    const keptBefore = peerBefore?.results.find((x) => x.result === 'warn');
    await cp.kubectl(['apply', '-f', '-'], { input: dr(true) });
    await cp.kubectl(['apply', '-f', '-'], { input: missingPeer });
    await waitFor('the DestinationRule report to go', async () => (await report('mesh-apps', 'meshguard-destinationrule-reviews')) === undefined);
    const p = await waitFor('the peer report without peer-reciprocal', async () => {
      const r = await report('blue-mesh-system', 'meshguard-servicemeshpeer-green-mesh');
      return r && !r.results.some((x) => x.rule === 'federation/peer-reciprocal') ? r : undefined;
    });
    assert.equal(p.summary.fail, 0);
    const kept = p.results.find((x) => x.rule === keptBefore?.rule && x.message === keptBefore?.message);
    assert.deepEqual(kept?.timestamp, keptBefore?.timestamp);
    // The new peer is audited too (it has would-set warnings of its own).
    await waitFor('the new peer report', () => report('green-mesh-system', 'meshguard-servicemeshpeer-blue-mesh'));
  });

  test('meshguard audit agrees once fixed: the DestinationRule is clean', async () => {
    const r = await runAudit(['-o', 'json']);
    const doc = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>> };
    assert.ok(!doc.findings.some((f) => f.kind === 'DestinationRule' && f.severity !== 'info'));
    assert.ok(!doc.findings.some((f) => f.rule === 'federation/peer-reciprocal'));
  });
});

describe('only the Lease holder scans', () => {
  test('a second replica waits; SIGTERM on the leader releases the Lease and the other takes over at once', { timeout: 90_000 }, async () => {
    const a = running[0] as Replica;
    const b = await serve(['--audit-interval', '2s']);
    await waitFor('the second replica to see the holder', () => b.logs().some((l) => l.event === 'lease.held'));
    const aScans = scans(a).length;
    await waitFor('the leader to scan twice more', () => scans(a).length >= aScans + 2, 20_000);
    assert.equal(started(b).length, 0, 'the follower never scanned');
    assert.equal(await leaseHolder('meshguard-audit'), identityOf(a));
    assert.match(await metricsText(b), /meshguard_audit_leader 0/);

    const t0 = Date.now();
    assert.equal(await a.stop(), 0);
    running.splice(running.indexOf(a), 1);
    assert.ok(a.logs().some((l) => l.event === 'lease.released'));
    await waitFor('the follower to lead', () => b.logs().some((l) => l.event === 'lease.acquired'), 15_000, 100);
    const took = Date.now() - t0;
    await waitFor('a scan by the new leader', () => scans(b).length >= 1, 15_000);
    assert.equal(await leaseHolder('meshguard-audit'), identityOf(b));
    // Released, not expired: the next campaign round wins (retry period 2 s, jitter up to 2.2×).
    assert.ok(took < 15_000, `took ${took} ms`);
    console.log(`# takeover after SIGTERM: ${took} ms`);
  });

  test('when the leader dies without releasing (SIGKILL), another takes over after the lease duration', { timeout: 90_000 }, async () => {
    const b = running[0] as Replica;
    const c = await serve(['--audit-interval', '2s']);
    await waitFor('the third replica to see the holder', () => c.logs().some((l) => l.event === 'lease.held'));
    const holder = await leaseHolder('meshguard-audit');
    assert.equal(holder, identityOf(b));
    const t0 = Date.now();
    await b.kill();
    running.splice(running.indexOf(b), 1);
    await waitFor('the third replica to lead', () => c.logs().some((l) => l.event === 'lease.acquired'), 30_000, 100);
    const took = Date.now() - t0;
    assert.equal(await leaseHolder('meshguard-audit'), identityOf(c));
    // It had to wait for the lease to expire: 15 s from the last renewal it saw (renewals come every
    // 5-6 s, and it reads the Lease every 2-4.4 s), then its next campaign round. So at least 15 - 6 s
    // after the kill, at most 15 + 6 + 4.4 s (+ slack for the apiserver).
    assert.ok(took > 8_000 && took < 15_000 + 6_000 + 4_400 + 2_000, `took ${took} ms`);
    await waitFor('a scan by the new leader', () => scans(c).length >= 1, 15_000);
    console.log(`# takeover after SIGKILL: ${took} ms`);
  });
});

describe('leader election against the apiserver, in process (short durations)', () => {
  test('two candidates starting together: exactly one leads, never both; stopping hands over', { timeout: 30_000 }, async () => {
    const kc = loadKubeConfig(cp.kubeconfig) as KubeConfig;
    const events: string[] = [];
    const { log } = memoryLogger();
    const leading = new Set<string>();
    let overlap = false;
    const make = (id: string) =>
      new LeaderElector({
        api: auditClients(kc).leases, namespace: LEASE_NS, name: 'race', identity: id, log,
        leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5,
        onStartedLeading: () => {
          leading.add(id);
          if (leading.size > 1) overlap = true;
          events.push(`+${id}`);
        },
        onStoppedLeading: () => {
          leading.delete(id);
          events.push(`-${id}`);
        },
      });
    const x = make('x');
    const y = make('y');
    x.start();
    y.start();
    await waitFor('a leader', () => leading.size === 1, 10_000, 20);
    await new Promise((r) => setTimeout(r, 4000)); // more than a lease duration of renewals
    assert.equal(leading.size, 1);
    assert.equal(events.length, 1, events.join(' '));
    const first = [...leading][0] as string;
    assert.equal(await leaseHolder('race'), first);
    await (first === 'x' ? x : y).stop();
    await waitFor('the other to lead', () => leading.size === 1 && !leading.has(first), 5_000, 20);
    await (first === 'x' ? y : x).stop();
    assert.equal(overlap, false, events.join(' '));
    assert.equal(await leaseHolder('race'), '', 'released on stop');
  });

  test('a leader that cannot renew steps down within the renew deadline, before the other may take over', { timeout: 30_000 }, async () => {
    const kc = loadKubeConfig(cp.kubeconfig) as KubeConfig;
    const { log, lines } = memoryLogger();
    const real = auditClients(kc).leases;
    let cut = false;
    // The leader's connection to the apiserver breaks: every call fails like a timeout.
    const flaky = {
      readNamespacedLease: (...a: Parameters<typeof real.readNamespacedLease>) => (cut ? Promise.reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' })) : real.readNamespacedLease(...a)),
      createNamespacedLease: (...a: Parameters<typeof real.createNamespacedLease>) => real.createNamespacedLease(...a),
      replaceNamespacedLease: (...a: Parameters<typeof real.replaceNamespacedLease>) => (cut ? Promise.reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' })) : real.replaceNamespacedLease(...a)),
    };
    const times: Record<string, number> = {};
    const common = { namespace: LEASE_NS, name: 'partition', log, leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
    const leader = new LeaderElector({ ...common, api: flaky, identity: 'leader', onStartedLeading: () => (times.leaderUp = Date.now()), onStoppedLeading: () => (times.leaderDown = Date.now()) });
    leader.start();
    await waitFor('the leader', () => times.leaderUp, 10_000, 20);
    const other = new LeaderElector({ ...common, api: real, identity: 'other', onStartedLeading: () => (times.otherUp = Date.now()), onStoppedLeading: () => {} });
    other.start();
    await new Promise((r) => setTimeout(r, 1500));
    cut = true;
    const cutAt = Date.now();
    await waitFor('the other to take over', () => times.otherUp, 15_000, 20);
    assert.ok(times.leaderDown, 'the leader stepped down');
    assert.ok((times.leaderDown as number) < (times.otherUp as number), 'no moment with two leaders');
    assert.ok((times.leaderDown as number) - cutAt <= 2_000 + 1_500, `stepped down ${(times.leaderDown as number) - cutAt} ms after the cut`);
    assert.ok(lines.some((l) => l.event === 'lease.lost' && l.reason === 'renew deadline passed'));
    assert.equal(await leaseHolder('partition'), 'other');
    await Promise.all([leader.stop(), other.stop()]);
  });
});

describe('log-only mode and triggers', () => {
  test('--audit-reports false logs the findings and writes no report', { timeout: 60_000 }, async () => {
    await stopAll();
    await cp.kubectl(['delete', 'policyreports.wgpolicyk8s.io', '--all', '-A']);
    const d = await serve(['--audit-interval', '2s', '--audit-reports', 'false', '--lease-name', 'log-only']);
    await waitFor('two scans', () => scans(d).length >= 2, 30_000);
    assert.ok(d.logs().some((l) => l.event === 'audit.finding' && l.rule === 'asm-pvl/name-must-be-default'));
    const list = await getJson<{ items: unknown[] }>(['get', 'policyreports.wgpolicyk8s.io', '-A']);
    assert.equal(list?.items.length, 0);
    assert.ok(!d.logs().some((l) => l.event === 'audit.reports'));
    await stopAll();
  });

  test('a MeshTopology change triggers a scan soon, long before the interval', { timeout: 90_000 }, async () => {
    const e = await serve(['--audit-interval', '1h', '--lease-name', 'topology-trigger']);
    await waitFor('the first scan', () => scans(e).length >= 1, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const n = scans(e).length;
    const t0 = Date.now();
    await cp.kubectl(['apply', '-f', join(EXAMPLES, 'topology/broken/cidr-overlap.yaml')]);
    await waitFor('a scan after the topology change', () => scans(e).length > n, 30_000);
    assert.ok(e.logs().some((l) => l.event === 'audit.triggered' && l.reason === 'topology'));
    console.log(`# scan after a MeshTopology change: ${Date.now() - t0} ms`);
    // A cluster-scoped resource gets a ClusterPolicyReport.
    const c = await waitFor('the ClusterPolicyReport', () => getJson<Report>(['get', 'clusterpolicyreports.wgpolicyk8s.io', 'meshguard-meshtopology-broken-cidr-overlap']));
    assert.equal(c.kind, 'ClusterPolicyReport');
    assert.equal(c.scope.kind, 'MeshTopology');
    assert.equal(c.scope.namespace, undefined);
    assert.ok(c.results.some((x) => x.rule === 'topology/cidr-overlap' && x.result === 'fail'));
    await stopAll();
  });
});

describe('RBAC', () => {
  async function tokenKubeconfig(sa: string): Promise<string> {
    const token = (await cp.kubectl(['create', 'token', sa, '-n', LEASE_NS, '--duration', '1h'])).stdout.trim();
    const server = (await cp.kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).stdout;
    const file = join(cp.tmpDir, `kubeconfig-${sa}`);
    await writeFile(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: sa',
      'clusters:', '- name: c', '  cluster:', `    server: ${server}`, `    certificate-authority: ${cp.caFile}`,
      'users:', `- name: ${sa}`, '  user:', `    token: ${token}`,
      'contexts:', '- name: sa', `  context: {cluster: c, user: ${sa}}`, '',
    ].join('\n'), { mode: 0o600 });
    return file;
  }

  test("the chart's ServiceAccount and RBAC are enough: nothing missing, scans complete, reports and Events written", { timeout: 90_000 }, async () => {
    const rendered = await cp.helm(['template', 'mg', CHART, '-n', LEASE_NS, '-f', `${CHART}/ci/url-values.yaml`, '--set', 'events.enabled=true', '--show-only', 'templates/rbac.yaml', '--show-only', 'templates/serviceaccount.yaml']);
    await cp.kubectl(['apply', '-f', '-'], { input: rendered.stdout });
    const docs = rendered.stdout.split(/^---$/m).map((d) => parse(d) as { kind?: string; metadata?: { name?: string } } | null);
    const sa = docs.find((d) => d?.kind === 'ServiceAccount')?.metadata?.name as string;
    const kubeconfig = await tokenKubeconfig(sa);
    const mg = await serve(['--lease-name', 'mg-meshguard-audit', '--audit-interval', '2s', '--events', 'true'], kubeconfig);
    const rbac = await waitFor('the RBAC line', () => mg.logs().find((l) => l.event === 'audit.rbac'));
    assert.deepEqual(rbac.missing, []);
    await waitFor('a complete scan', () => scans(mg).length >= 1, 30_000);
    await waitFor('reports written by the ServiceAccount', () => report('istio-system', 'meshguard-asmpvlconfig-pvl'));

    // The scan's outcome as an Event on the Lease, written with the chart's Role.
    type EventList = { items: Array<{ type: string; reason: string; message: string; involvedObject: { kind: string; name: string } }> };
    const completed = () => getJson<EventList>(['get', 'events', '-n', LEASE_NS, '--field-selector', 'involvedObject.name=mg-meshguard-audit,reason=AuditScanCompleted']);
    const [event] = await waitFor('an AuditScanCompleted Event', async () => ((await completed())?.items.length ? (await completed())?.items : undefined));
    const last = scans(mg).at(-1) as { errors: number; warnings: number };
    assert.deepEqual({ type: event?.type, kind: event?.involvedObject.kind }, { type: 'Warning', kind: 'Lease' });
    assert.match(event?.message ?? '', new RegExp(`: ${last.errors} errors, ${last.warnings} warnings \\(kubectl get policyreports -A\\)$`));
    // Further scans of an unchanged cluster are not news: still one Event, and no failed writes.
    const seen = scans(mg).length;
    await waitFor('two more scans', () => scans(mg).length >= seen + 2, 30_000);
    assert.equal((await completed())?.items.length, 1);
    assert.deepEqual(mg.logs().filter((l) => l.event === 'audit.event'), []);
    await stopAll();
  });

  test('missing permissions: one startup line names them; scans are incomplete and publish nothing; `meshguard audit` exits 2', { timeout: 90_000 }, async () => {
    await cp.kubectl(['create', 'serviceaccount', 'narrow', '-n', LEASE_NS]);
    // Everything the chart grants except ServiceMeshPeers and report deletion.
    await cp.kubectl(['create', 'clusterrole', 'narrow', '--verb=get,list,watch',
      '--resource=asmpvlconfigs.istio.alibabacloud.com,istiogateways.istio.alibabacloud.com,exportedservicesets.federation.maistra.io,importedservicesets.federation.maistra.io,destinationrules.networking.istio.io,gateways.networking.istio.io,istiooperators.install.istio.io,meshtopologies.meshguard.io,configmaps,services']);
    await cp.kubectl(['create', 'clusterrole', 'narrow-reports', '--verb=get,list,create,update', '--resource=policyreports.wgpolicyk8s.io,clusterpolicyreports.wgpolicyk8s.io']);
    await cp.kubectl(['create', 'clusterrolebinding', 'narrow', '--clusterrole=narrow', `--serviceaccount=${LEASE_NS}:narrow`]);
    await cp.kubectl(['create', 'clusterrolebinding', 'narrow-reports', '--clusterrole=narrow-reports', `--serviceaccount=${LEASE_NS}:narrow`]);
    await cp.kubectl(['create', 'role', 'narrow-lease', '-n', LEASE_NS, '--verb=get,create,update', '--resource=leases.coordination.k8s.io']);
    await cp.kubectl(['create', 'rolebinding', 'narrow-lease', '-n', LEASE_NS, '--role=narrow-lease', `--serviceaccount=${LEASE_NS}:narrow`]);
    const kubeconfig = await tokenKubeconfig('narrow');

    const mg = await serve(['--lease-name', 'narrow', '--audit-interval', '2s'], kubeconfig);
    const rbac = await waitFor('the RBAC line', () => mg.logs().find((l) => l.event === 'audit.rbac'));
    assert.equal(rbac.level, 40);
    assert.deepEqual(rbac.missing, [
      'list servicemeshpeers.federation.maistra.io (cluster-wide)',
      'delete policyreports.wgpolicyk8s.io (cluster-wide)',
      'delete clusterpolicyreports.wgpolicyk8s.io (cluster-wide)',
    ]);
    const incomplete = await waitFor('an incomplete scan', () => scans(mg, 'incomplete')[0], 30_000);
    assert.deepEqual((incomplete.problems as Array<Record<string, unknown>>).map((p) => [p.kind, p.status]), [['ServiceMeshPeer', 403]]);
    assert.equal(scans(mg).length, 0, 'nothing published from a partial inventory');
    // It keeps trying, with backoff, and counts the errors.
    assert.match(await metricsText(mg), /meshguard_audit_api_errors_total\{operation="list",status="403"\} [1-9]/);
    await stopAll();

    const cli = await runAudit([], kubeconfig);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /cannot list ServiceMeshPeer \(HTTP 403\)/);
  });
});
