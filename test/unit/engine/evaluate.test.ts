import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { defaultContext } from '../../../src/engine/context.ts';
import { evaluate, RULE_FAILED, SCHEMA_RULE } from '../../../src/engine/evaluate.ts';
import { applyPatch } from '../../../src/engine/patch.ts';
import { Registry } from '../../../src/engine/registry.ts';
import { defineDefaulter, defineKind, defineValidator } from '../../../src/engine/rule.ts';
import { buildRegistry } from '../../../src/rules/index.ts';

const registry = buildRegistry();
const ctx = defaultContext({ namespace: 'red-mesh-system' });
const opts = { defaults: true, validate: true };

test('ServiceMeshPeer without ports gets 8188/15443 as add ops, reported as warnings', () => {
  const peer = {
    apiVersion: 'federation.maistra.io/v1',
    kind: 'ServiceMeshPeer',
    metadata: { name: 'green-mesh', namespace: 'red-mesh-system' },
    spec: { remote: { addresses: ['ingress-red-mesh.green-mesh-system.apps.domain.com'] } },
  };
  const r = evaluate(registry, peer, ctx, opts);
  assert.equal(r.known, true);
  const ports = r.patch.filter((op) => op.path.startsWith('/spec/remote/'));
  assert.deepEqual(
    ports.map((op) => [op.op, op.path, op.value]),
    [
      ['add', '/spec/remote/discoveryPort', 8188],
      ['add', '/spec/remote/servicePort', 15443],
    ],
  );
  const warned = r.findings.filter((f) => f.rule === 'federation/default-remote-ports').map((f) => f.path);
  assert.ok(warned.includes('/spec/remote/discoveryPort') && warned.includes('/spec/remote/servicePort'));
  const again = evaluate(registry, applyPatch(peer, r.patch), ctx, opts);
  assert.deepEqual(again.patch, [], 'a second pass must yield an empty patch');
});

test('user-set ports and unknown fields at several depths survive defaulting', () => {
  const peer = {
    apiVersion: 'federation.maistra.io/v1',
    kind: 'ServiceMeshPeer',
    metadata: { name: 'green-mesh', namespace: 'red-mesh-system', x: { y: 1 } },
    topLevelUnknown: [1, { a: 2 }],
    spec: { unknownSpec: { deep: { deeper: 'kept' } }, remote: { addresses: ['a.example.com'], discoveryPort: 9000, extra: true } },
  };
  const r = evaluate(registry, peer, ctx, opts);
  assert.ok(r.patch.every((op) => op.op === 'add'));
  assert.ok(!r.patch.some((op) => op.path === '/spec/remote/discoveryPort'));
  const stored = applyPatch(peer, r.patch) as typeof peer;
  assert.equal(stored.spec.remote.discoveryPort, 9000);
  assert.deepEqual(stored.spec.unknownSpec, { deep: { deeper: 'kept' } });
  assert.deepEqual(stored.topLevelUnknown, [1, { a: 2 }]);
  assert.deepEqual(stored.metadata.x, { y: 1 });
  assert.equal(stored.spec.remote.extra, true);
});

test('ASMPvlConfig named other than default is an error at /metadata/name', () => {
  const r = evaluate(registry, { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', metadata: { name: 'pvl' }, spec: {} }, ctx, opts);
  const f = r.findings.find((x) => x.rule === 'asm-pvl/name-must-be-default');
  assert.ok(f);
  assert.equal(f.severity, 'error');
  assert.equal(f.path, '/metadata/name');
  assert.match(f.fix ?? '', /default/);
});

test('unknown kinds and unserved versions are not evaluated', () => {
  assert.equal(evaluate(registry, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, ctx, opts).known, false);
  assert.equal(evaluate(registry, { apiVersion: 'istio.alibabacloud.com/v9', kind: 'ASMPvlConfig', metadata: { name: 'x' } }, ctx, opts).known, false);
});

test('a known kind that fails its schema gets an error finding at the offending path', () => {
  const r = evaluate(registry, { apiVersion: 'federation.maistra.io/v1', kind: 'ServiceMeshPeer', metadata: { name: 'g' }, spec: { remote: { discoveryPort: 'eighty' } } }, ctx, opts);
  const f = r.findings.find((x) => x.rule === SCHEMA_RULE);
  assert.ok(f);
  assert.equal(f.path, '/spec/remote/discoveryPort');
  assert.deepEqual(r.patch, []);
});

test('a throwing rule is isolated: other rules still decide and the failure is reported', () => {
  type O = { apiVersion: string; kind: string; metadata: { name?: string } };
  const boom = defineValidator<O>({ id: 'test/boom', severity: 'error', summary: 's', source: 't', check() { throw new Error('kaput'); } });
  const ok = defineValidator<O>({ id: 'test/ok', severity: 'error', summary: 's', source: 't', check(_o, _c, report) { report('/metadata/name', 'bad name'); } });
  const setter = defineDefaulter<O>({ id: 'test/set', severity: 'warning', summary: 's', source: 't', apply(_o, _c, set) { set('/metadata/labels', { a: 'b' }, 'why'); } });
  const schema = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string().optional() }) });
  const reg = new Registry([defineKind<O>({ group: 'x.io', kind: 'K', versions: ['v1'], plural: 'ks', scope: 'Namespaced', admission: true, schema, defaulters: [setter], validators: [boom, ok] })]);
  const errors: string[] = [];
  const r = evaluate(reg, { apiVersion: 'x.io/v1', kind: 'K', metadata: { name: 'n' } }, ctx, { ...opts, onRuleError: (id) => errors.push(id) });
  assert.deepEqual(errors, ['test/boom']);
  assert.ok(r.findings.some((f) => f.rule === 'test/ok' && f.severity === 'error'));
  assert.ok(r.findings.some((f) => f.rule === RULE_FAILED && f.message.includes('test/boom')));
  assert.deepEqual(r.patch, [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]);
});

test('overrides turn a rule off or change its severity', () => {
  const obj = { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', metadata: { name: 'pvl' }, spec: {} };
  const off = evaluate(registry, obj, ctx, { ...opts, overrides: new Map([['asm-pvl/name-must-be-default', 'off' as const]]) });
  assert.ok(!off.findings.some((f) => f.rule === 'asm-pvl/name-must-be-default'));
  const warn = evaluate(registry, obj, ctx, { ...opts, overrides: new Map([['asm-pvl/name-must-be-default', 'warning' as const]]) });
  assert.equal(warn.findings.find((f) => f.rule === 'asm-pvl/name-must-be-default')?.severity, 'warning');
});
