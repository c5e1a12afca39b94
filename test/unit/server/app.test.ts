import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import request from 'supertest';
import { z } from 'zod';
import { Registry } from '../../../src/engine/registry.ts';
import { defineKind, defineValidator } from '../../../src/engine/rule.ts';
import { buildRegistry } from '../../../src/rules/index.ts';
import { createAdmissionApp } from '../../../src/server/app.ts';
import { createHealthApp } from '../../../src/server/health.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import { memoryLogger } from '../../helpers/log.ts';
import { badPvl, decodePatch, portlessPeer, review } from '../../helpers/reviews.ts';

function makeApp(opts: { registry?: Registry; bodyLimit?: number; mode?: 'enforce' | 'warn' | 'audit' } = {}) {
  const { log, lines } = memoryLogger();
  const metrics = createMetrics({ defaultMetrics: false });
  const app = createAdmissionApp({
    registry: opts.registry ?? buildRegistry(),
    mode: () => opts.mode ?? 'enforce',
    state: () => ({ explainMutations: true, maxWarnings: 10, clusterDomain: 'svc.cluster.local' }),
    log,
    metrics,
    ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
  });
  return { app, lines, metrics };
}

describe('admission routes', () => {
  test('/validate denies in enforce mode with a 403 status, echoing uid, apiVersion and kind', async () => {
    const { app, lines } = makeApp();
    const res = await request(app).post('/validate').send(review(badPvl, { uid: 'abc-1' })).expect(200);
    assert.equal(res.body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(res.body.kind, 'AdmissionReview');
    assert.equal(res.body.response.uid, 'abc-1');
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.code, 403);
    assert.match(
      res.body.response.status.message,
      /^meshguard denied ASMPvlConfig istio-system\/pvl: \[asm-pvl\/name-must-be-default\] .* at metadata\.name\. Fix: set metadata\.name: default$/,
    );
    const decision = lines.find((l) => l.event === 'admission.decision');
    assert.ok(decision);
    assert.equal(decision.uid, 'abc-1');
    assert.equal(decision.allowed, false);
    assert.deepEqual(decision.rules, ['asm-pvl/name-must-be-default']);
    assert.equal(decision.dryRun, false);
    assert.equal(typeof decision.latencyMs, 'number');
    assert.ok(!JSON.stringify(decision).includes('"spec"'), 'object bodies are never logged at info');
  });

  test('/validate/warn admits and turns the error into a short warning', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/validate/warn').send(review(badPvl)).expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.equal(res.body.response.auditAnnotations, undefined);
    const w: string[] = res.body.response.warnings;
    assert.ok(w.some((s) => s.startsWith('[asm-pvl/name-must-be-default]')));
    assert.ok(w.every((s) => s.length <= 120 && !s.startsWith('Warning')));
  });

  test('/validate/audit admits with warnings and audit annotations keyed by rule', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/validate/audit').send(review(badPvl)).expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.match(res.body.response.auditAnnotations['asm-pvl.name-must-be-default'], /^error: /);
  });

  test('/validate uses the server mode', async () => {
    const { app } = makeApp({ mode: 'audit' });
    const res = await request(app).post('/validate').send(review(badPvl)).expect(200);
    assert.equal(res.body.response.allowed, true);
  });

  test('/mutate returns a base64 JSONPatch with the defaults and explains them', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/mutate').send(review(portlessPeer)).expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.equal(res.body.response.patchType, 'JSONPatch');
    const ops = decodePatch(res.body.response.patch);
    assert.ok(ops.some((o) => o.op === 'add' && o.path === '/spec/remote/discoveryPort' && o.value === 8188));
    assert.ok(ops.some((o) => o.op === 'add' && o.path === '/spec/remote/servicePort' && o.value === 15443));
    assert.ok((res.body.response.warnings as string[]).some((w) => w.startsWith('set spec.remote.discoveryPort=8188')));
  });

  test('/mutate/audit changes nothing and says what it would set', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/mutate/audit').send(review(portlessPeer)).expect(200);
    assert.equal(res.body.response.patch, undefined);
    assert.ok((res.body.response.warnings as string[]).some((w) => w.startsWith('would set spec.remote.discoveryPort=8188')));
  });

  test('UPDATE validates the new object; DELETE, CONNECT and status writes pass untouched', async () => {
    const { app } = makeApp();
    const good = { ...badPvl, metadata: { name: 'default', namespace: 'istio-system' } };
    const upd = await request(app).post('/validate').send(review(badPvl, { operation: 'UPDATE', oldObject: good })).expect(200);
    assert.equal(upd.body.response.allowed, false);
    const updOk = await request(app).post('/validate').send(review(good, { operation: 'UPDATE', oldObject: badPvl })).expect(200);
    assert.equal(updOk.body.response.allowed, true);
    for (const r of [review(badPvl, { operation: 'DELETE' }), review(badPvl, { operation: 'CONNECT' }), review(badPvl, { operation: 'UPDATE', subResource: 'status' })]) {
      const res = await request(app).post('/validate').send(r).expect(200);
      assert.deepEqual(res.body.response, { uid: r.request.uid, allowed: true });
    }
    const mut = await request(app).post('/mutate').send(review(portlessPeer, { operation: 'UPDATE', subResource: 'status' })).expect(200);
    assert.equal(mut.body.response.patch, undefined);
  });

  test('unknown kinds are allowed untouched', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/mutate').send(review({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).expect(200);
    assert.deepEqual(res.body.response, { uid: res.body.response.uid, allowed: true });
  });

  test('a throwing rule does not stop the others and is named in a warning', async () => {
    type O = { apiVersion: string; kind: string; metadata: { name?: string } };
    const schema = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string().optional() }) });
    const boom = defineValidator<O>({ id: 'test/boom', severity: 'error', summary: 's', source: 't', check() { throw new Error('kaput'); } });
    const deny = defineValidator<O>({ id: 'test/deny', severity: 'error', summary: 's', source: 't', check(_o, _c, r) { r('/metadata/name', 'no'); } });
    const registry = new Registry([defineKind<O>({ group: 'x.io', kind: 'K', versions: ['v1'], plural: 'ks', scope: 'Namespaced', admission: true, schema, defaulters: [], validators: [boom, deny] })]);
    const { app, lines, metrics } = makeApp({ registry });
    const res = await request(app).post('/validate/warn').send(review({ apiVersion: 'x.io/v1', kind: 'K', metadata: { name: 'n' } })).expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.ok((res.body.response.warnings as string[]).some((w) => w.includes('test/boom')));
    assert.ok((res.body.response.warnings as string[]).some((w) => w.startsWith('[test/deny]')));
    const failed = lines.find((l) => l.event === 'rule.failed');
    assert.ok(failed && JSON.stringify(failed.err).includes('kaput'), 'error logged with its stack');
    assert.match(await metrics.registry.metrics(), /meshguard_rule_errors_total\{rule="test\/boom"\} 1/);
  });
});

describe('bad input gets a 4xx with the reason', () => {
  const cases: Array<[string, (r: request.Test) => request.Test, number, RegExp]> = [
    ['truncated JSON', (r) => r.set('content-type', 'application/json').send('{"apiVersion":"admission.k8s.io/v1","kind":"Adm'), 400, /not valid JSON/],
    ['not JSON at all', (r) => r.set('content-type', 'application/json').send('hello'), 400, /not valid JSON/],
    ['a JSON string', (r) => r.set('content-type', 'application/json').send('"x"'), 400, /JSON/],
    ['a JSON array', (r) => r.send([1, 2]), 400, /AdmissionReview/],
    ['wrong apiVersion', (r) => r.send({ ...review(badPvl), apiVersion: 'admission.k8s.io/v1beta1' }), 400, /apiVersion/],
    ['wrong kind', (r) => r.send({ ...review(badPvl), kind: 'Foo' }), 400, /kind/],
    ['no request', (r) => r.send({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 400, /request is missing/],
    ['no uid', (r) => r.send({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...review(badPvl).request, uid: undefined } }), 400, /request\.uid is missing/],
    ['operation of the wrong type', (r) => r.send({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...review(badPvl).request, operation: 7 } }), 400, /request\.operation/],
    ['text/plain', (r) => r.set('content-type', 'text/plain').send('{}'), 415, /content type/],
    ['no content type', (r) => r.unset('content-type'), 415, /content type/],
  ];
  for (const [name, send, code, re] of cases) {
    test(`${name} → ${code}`, async () => {
      const { app } = makeApp();
      const res = await send(request(app).post('/validate')).expect(code);
      assert.match(res.body.error, re);
    });
  }

  test('a body over the limit → 413', async () => {
    const { app } = makeApp({ bodyLimit: 1024 });
    const big = review({ ...portlessPeer, metadata: { name: 'x', annotations: { a: 'y'.repeat(4096) } } });
    const res = await request(app).post('/mutate').send(big).expect(413);
    assert.match(res.body.error, /exceeds the 1024 byte limit/);
  });

  test('unknown paths, unknown modes and wrong methods → 404 JSON', async () => {
    const { app } = makeApp();
    for (const [method, path] of [['post', '/nope'], ['post', '/validate/strict'], ['get', '/validate'], ['post', '/mutate/x/y']] as const) {
      const res = await request(app)[method](path).send(review(badPvl)).expect(404);
      assert.match(res.body.error, /no such endpoint/);
    }
  });

  test('__proto__ and constructor keys are plain data', async () => {
    const { app } = makeApp();
    const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"p1","kind":{"group":"federation.maistra.io","version":"v1","kind":"ServiceMeshPeer"},"operation":"CREATE","object":{"apiVersion":"federation.maistra.io/v1","kind":"ServiceMeshPeer","metadata":{"name":"g","__proto__":{"polluted":1}},"spec":{"constructor":{"prototype":{"x":1}},"remote":{"addresses":["a.b"]}}}}}`;
    const res = await request(app).post('/mutate').set('content-type', 'application/json').send(body).expect(200);
    assert.equal(res.body.response.uid, 'p1');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('health listener', () => {
  test('/healthz is always ok; /readyz waits for every check; /metrics is Prometheus text', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let tls = false;
    const app = createHealthApp(metrics, [{ name: 'tls-certificate', ready: () => tls }]);
    await request(app).get('/healthz').expect(200);
    const notReady = await request(app).get('/readyz').expect(503);
    assert.deepEqual(notReady.body.waitingFor, ['tls-certificate']);
    tls = true;
    await request(app).get('/readyz').expect(200);
    const m = await request(app).get('/metrics').expect(200);
    assert.match(m.text, /# TYPE meshguard_admission_duration_seconds histogram/);
    assert.match(m.text, /# TYPE meshguard_admission_slow_requests_total counter/);
    assert.match(m.text, /# TYPE meshguard_findings_total counter/);
  });

  test('admission metrics are labelled by webhook, kind, operation and outcome', async () => {
    const { app, metrics } = makeApp();
    await request(app).post('/validate').send(review(badPvl)).expect(200);
    const text = await metrics.registry.metrics();
    assert.match(text, /meshguard_admission_requests_total\{webhook="validate",kind="ASMPvlConfig",operation="CREATE",outcome="denied"\} 1/);
    assert.match(text, /meshguard_admission_duration_seconds_bucket\{le="[^"]+",webhook="validate",kind="ASMPvlConfig",operation="CREATE",outcome="denied"\}/);
    assert.match(text, /meshguard_findings_total\{rule="asm-pvl\/name-must-be-default",severity="error",mode="enforce"\} 1/);
  });
});
