// The kube-apiserver stopped and restarted under a running `meshguard serve` (informers on, chart installed):
// while it is down, admission keeps answering from its caches — a verdict that depends on the MeshTopology
// stays what it was — and after it is back the informers recover: a MeshTopology change made after the
// restart reaches meshguard's verdicts, and the apiserver routes to the webhook again.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { createAgent, post } from '../../bench/lib/load.ts';
import type { KObject } from '../../src/engine/types.ts';
import { startControlPlane, type ControlPlane } from './harness/controlplane.ts';
import { installChart, startMeshguard, waitForWebhook, type Meshguard } from './harness/meshguard.ts';

const example = (p: string) => readFileSync(fileURLToPath(new URL(`../../examples/${p}`, import.meta.url)), 'utf8');
const RULE = 'asm-pvl/vswitch-exists';
/** The ASM example's topology; the broken example names an ACK vSwitch (…k00010) it does not have. */
const topology = parse(example('asm/topology.yaml')) as KObject;
const broken = parseAllDocuments(example('asm/broken/vswitch-exists.yaml')).map((d) => d.toJS() as KObject).find((o) => o.kind === 'ASMPvlConfig')!;
const valid = parse(example('asm/asmpvlconfig.yaml')) as KObject;
const NS = 'istio-system';

let cp: ControlPlane;
let mg: Meshguard;
let agent: ReturnType<typeof createAgent>;
let uid = 0;

/** Asks meshguard directly (not through the apiserver): which rules deny the object now? */
async function verdict(o: KObject): Promise<{ allowed: boolean; rules: string[] }> {
  const id = `resilience-${++uid}`;
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: id, kind: { group: 'istio.alibabacloud.com', version: 'v1beta1', kind: 'ASMPvlConfig' }, operation: 'CREATE', namespace: NS, name: o.metadata?.name, object: { ...o, metadata: { ...o.metadata, namespace: NS } } },
  };
  const a = await post(agent, '127.0.0.1', mg.port, '/validate', Buffer.from(JSON.stringify(review)));
  assert.equal(a.status, 200, a.body);
  const r = JSON.parse(a.body).response as { uid: string; allowed: boolean; status?: { message: string } };
  assert.equal(r.uid, id);
  return { allowed: r.allowed, rules: [...(r.status?.message ?? '').matchAll(/\[([a-z0-9-]+\/[a-z0-9-]+)\]/g)].map((m) => m[1]!) };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<{ value: T; afterMs: number }> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return { value: v, afterMs: Date.now() - start };
    } catch (err) {
      last = err;
    }
    assert.ok(Date.now() - start < ms, `${what} within ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const status = async (path: string) => (await fetch(`http://127.0.0.1:${mg.healthPort}${path}`).catch(() => undefined))?.status ?? 0;

before(async () => {
  cp = await startControlPlane();
  await cp.applyUpstreamCrds();
  mg = await startMeshguard(cp);
  await installChart(cp, mg);
  await cp.kubectl(['create', 'namespace', NS]);
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(topology) });
  agent = createAgent(readFileSync(cp.caFile), 8);
  await waitForWebhook(async () => (await verdict(broken)).rules.includes(RULE), 60_000);
}, { timeout: 60 * 60_000 });

after(async () => {
  agent?.destroy();
  await mg?.stop();
  await cp?.stop();
});

describe('kube-apiserver stopped and restarted under meshguard', { timeout: 5 * 60_000 }, () => {
  test('while the apiserver is down, admission answers from its caches with the same topology-dependent verdicts', async (t) => {
    const before = { broken: await verdict(broken), valid: await verdict(valid) };
    assert.ok(!before.broken.allowed && before.broken.rules.includes(RULE), JSON.stringify(before.broken));
    assert.ok(before.valid.allowed, JSON.stringify(before.valid));
    const seen = { answers: 0, ready: new Set<number>(), healthz: new Set<number>() };
    await cp.restartApiServer(async () => {
      // Down for 15 s: long enough for the informers' watches to fail and start backing off.
      const end = Date.now() + 15_000;
      while (Date.now() < end) {
        const [b, v] = await Promise.all([verdict(broken), verdict(valid)]);
        assert.deepEqual(b, before.broken, 'the broken example keeps its verdict');
        assert.deepEqual(v, before.valid, 'the valid example keeps its verdict');
        seen.answers += 2;
        seen.ready.add(await status('/readyz'));
        seen.healthz.add(await status('/healthz'));
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    const informerErrors = mg.logs().filter((l) => l.event === 'informer.error');
    const errors = informerErrors.length;
    t.diagnostic(`${seen.answers} verdicts while the apiserver was down, all unchanged; /healthz ${[...seen.healthz]}, /readyz ${[...seen.ready]}; ${errors} informer.error log lines`);
    for (const name of new Set(informerErrors.map((l) => String(l.informer)))) {
      const mine = informerErrors.filter((l) => l.informer === name);
      t.diagnostic(`${name}: ${mine.length} errors, retryMs ${mine.map((l) => l.retryMs).join(',')}, over ${((Number(mine.at(-1)!.time) - Number(mine[0]!.time)) / 1000).toFixed(1)} s`);
    }
    assert.deepEqual([...seen.healthz], [200]);
    assert.ok(errors > 0, 'the informers noticed the apiserver was gone (otherwise this test stopped nothing)');
  });

  test('after the restart the informers recover: a MeshTopology change is seen, and the apiserver calls the webhook again', async (t) => {
    const fixed = structuredClone(topology) as { spec: { vpcs: Array<{ id: string; vSwitches: Array<Record<string, string>> }> } };
    fixed.spec.vpcs.find((v) => v.id === 'vpc-hangzhou')!.vSwitches.push({ id: 'vsw-bp1pvlackzonek00010', zone: 'cn-hangzhou-k', cidr: '20.3.0.0/16' });
    const changedAt = Date.now();
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(fixed) });
    const seen = await eventually('meshguard sees the MeshTopology change made after the restart', async () => ((await verdict(broken)).rules.includes(RULE) ? undefined : true), 90_000);
    t.diagnostic(`the change reached meshguard's verdicts ${seen.afterMs} ms after kubectl apply (${Date.now() - changedAt} ms in all)`);
    assert.equal(await status('/readyz'), 200);
    // And through the apiserver: a server-side dry run gets meshguard's verdict without the vSwitch finding.
    const dry = await cp.kubectl(['apply', '--dry-run=server', '-n', NS, '-f', '-'], { input: JSON.stringify({ ...broken, metadata: { ...broken.metadata, namespace: NS } }), allowFail: true });
    assert.doesNotMatch(dry.stderr, new RegExp(RULE.replace('/', '\\/')));
    assert.ok(mg.logs().some((l) => l.event === 'admission.decision' && l.dryRun === true), 'the apiserver called meshguard after its restart');
    // Undo, and the finding is back: the informer keeps following changes.
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(topology) });
    await eventually('the reverted topology is seen', async () => ((await verdict(broken)).rules.includes(RULE) ? true : undefined), 60_000);
  });
});
