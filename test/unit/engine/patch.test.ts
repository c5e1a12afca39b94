// AddRecorder: the patch is what the defaults wrote, as few `add`s as RFC 6902 needs, in the order written.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddRecorder, applyPatch } from '../../../src/engine/patch.ts';

/** Runs `sets` through a recorder on a copy of `raw`; returns the ops and the defaulted object. */
function record(raw: Record<string, unknown>, sets: Array<[string, unknown]>) {
  const target = structuredClone(raw);
  const r = new AddRecorder();
  const written = sets.map(([path, value]) => r.set(target, path, value));
  return { ops: r.ops(), target, written };
}

test('a missing parent is one op at the first level that was absent, holding everything written under it', () => {
  const { ops, target } = record({ spec: {} }, [
    ['/spec/remote/discoveryPort', 8188],
    ['/spec/remote/servicePort', 15443],
    ['/spec/security/trustDomain', 'green.local'],
  ]);
  assert.deepEqual(ops, [
    { op: 'add', path: '/spec/remote', value: { discoveryPort: 8188, servicePort: 15443 } },
    { op: 'add', path: '/spec/security', value: { trustDomain: 'green.local' } },
  ]);
  assert.deepEqual(applyPatch({ spec: {} }, ops), target);
});

test('a default inside a value added earlier is part of that op, not an add of a path the patch creates', () => {
  const { ops } = record({}, [
    ['/spec', { ports: [] }],
    ['/spec/replicaCount', 1],
  ]);
  assert.deepEqual(ops, [{ op: 'add', path: '/spec', value: { ports: [], replicaCount: 1 } }]);
});

test('existing values, explicit nulls, scalars in the way and array growth are refused and recorded as nothing', () => {
  const raw = { spec: { a: 1, n: null, s: 'x', list: [{ name: 'p' }] } };
  const { ops, written, target } = record(raw, [
    ['/spec/a', 2],
    ['/spec/n', 3],
    ['/spec/s/deeper', 4],
    ['/spec/list/1/name', 'q'],
    ['/spec/list/0/port', 80],
  ]);
  assert.deepEqual(written, [false, false, false, false, true]);
  assert.deepEqual(ops, [{ op: 'add', path: '/spec/list/0/port', value: 80 }]);
  assert.deepEqual(target.spec, { a: 1, n: null, s: 'x', list: [{ name: 'p', port: 80 }] });
});

test('op values are copies: changing the defaulted object afterwards does not change the patch', () => {
  const { ops, target } = record({}, [['/spec/remote', { addresses: ['a'] }]]);
  ((target.spec as { remote: { addresses: string[] } }).remote.addresses).push('b');
  assert.deepEqual(ops, [{ op: 'add', path: '/spec', value: { remote: { addresses: ['a'] } } }]);
});

test('keys that need escaping and __proto__ stay own data', () => {
  const { ops, target } = record(JSON.parse('{"metadata":{"__proto__":{}}}') as Record<string, unknown>, [
    ['/metadata/annotations/a~1b', 'v'],
    ['/metadata/__proto__/x', 1],
  ]);
  assert.deepEqual(ops, [
    { op: 'add', path: '/metadata/annotations', value: { 'a/b': 'v' } },
    { op: 'add', path: '/metadata/__proto__/x', value: 1 },
  ]);
  assert.equal(Object.getPrototypeOf(target.metadata), Object.prototype);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});
