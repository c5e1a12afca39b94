// Fuzzing the defaulters through the engine (evaluate with defaults on), for every served kind that has
// defaulters: every generated object, with and without the topology. Properties: the patch only adds
// paths the user left absent, applies to the original with fast-json-patch's validation, keeps every
// value the user wrote, and a second pass over the defaulted object yields an empty patch. Objects made of
// hostile keys (`__proto__`, `constructor`, `prototype`) must not reach Object.prototype.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { defaultContext, type RuleContext } from '../../../src/engine/context.ts';
import { evaluate } from '../../../src/engine/evaluate.ts';
import type { KObject } from '../../../src/engine/types.ts';
import { examplePool, HOSTILE_KEYS, kinds, leaf, objectOf, registry, runs, SEED, topology, wire } from './arbitraries.ts';
import { assertNoPollution, checkPatch, type PatchStats } from './properties.ts';

const PER_KIND = runs(5000);
const HOSTILE = runs(5000);

function context(object: KObject, withTopology: boolean): RuleContext {
  const ns = object.metadata?.namespace;
  const ctx = defaultContext({ namespace: typeof ns === 'string' ? ns : '' });
  if (withTopology) ctx.topology = topology;
  return ctx;
}

/** Defaults `object`; checks the patch; defaults the result again and expects nothing more. */
function defaultTwice(object: KObject, withTopology: boolean, stats: PatchStats): number {
  const first = evaluate(registry, object, context(object, withTopology), { defaults: true, validate: false });
  if (first.patch.length === 0) return 0;
  const patched = checkPatch(object, wire(first.patch), stats) as KObject;
  assert.deepEqual(wire(first.defaulted), wire(patched), 'the patch yields exactly the object the validators saw');
  const second = evaluate(registry, patched, context(patched, withTopology), { defaults: true, validate: false });
  assert.deepEqual(second.patch, [], 'a second pass yields an empty patch');
  return first.patch.length;
}

describe('fuzz: defaulting of every generated object', () => {
  const defaulted = kinds.filter((k) => k.defaulters.length > 0);
  assert.ok(defaulted.length > 0);
  defaulted.forEach((spec, i) => {
    test(`${spec.kind}: patches only add absent paths, apply to the original, and a second pass is empty`, (t) => {
      const counts = { inputs: 0, patched: 0 };
      const stats: PatchStats = { ops: 0, hostilePaths: 0 };
      fc.assert(
        fc.property(objectOf(spec), fc.boolean(), (object, withTopology) => {
          counts.inputs++;
          if (defaultTwice(object, withTopology, stats) > 0) counts.patched++;
        }),
        { seed: SEED + 200 + i, numRuns: PER_KIND },
      );
      assertNoPollution();
      t.diagnostic(`${spec.kind}: ${counts.inputs} inputs (seed ${SEED + 200 + i}), ${counts.patched} patched, ${stats.ops} add ops (${stats.hostilePaths} under hostile keys)`);
      assert.ok(counts.patched > counts.inputs / 20, `${spec.kind}: too few generated objects exercise the defaulters`);
    });
  });
});

describe('fuzz: hostile keys', () => {
  /** A value whose objects use mostly __proto__ / constructor / prototype keys, parsed from JSON text. */
  const hostileTree = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
    object: fc.dictionary(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: fc.constantFrom('spec', 'remote', 'metadata', 'name', 'addresses', 'security') }), tie('value'), { maxKeys: 4 }),
  }));

  test('objects full of __proto__/constructor/prototype keys at every level are defaulted as data, Object.prototype untouched', (t) => {
    let inputs = 0;
    const stats: PatchStats = { ops: 0, hostilePaths: 0 };
    const served = kinds.filter((k) => k.defaulters.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...served).chain((spec) => fc.tuple(fc.constant(spec), examplePool(spec) ?? fc.constant(undefined))), fc.array(fc.tuple(fc.constantFrom('', 'spec', 'metadata', 'spec/remote', 'spec/security'), hostileTree.object), { maxLength: 3 }), fc.boolean(), ([spec, example], grafts, withTopology) => {
        inputs++;
        const base = example ?? { apiVersion: `${spec.group}/${spec.versions[0]}`, kind: spec.kind, metadata: { name: 'x' } };
        // JSON text, so `__proto__` becomes an own key exactly as express.json would make it.
        let text = JSON.stringify(base);
        for (const [where, graft] of grafts) text = graftInto(text, where, JSON.stringify(graft));
        const object = JSON.parse(text) as KObject;
        defaultTwice(object, withTopology, stats);
        assertNoPollution();
      }),
      { seed: SEED + 300, numRuns: HOSTILE },
    );
    t.diagnostic(`hostile keys: ${inputs} inputs (seed ${SEED + 300}), ${stats.ops} add ops (${stats.hostilePaths} under hostile keys)`);
  });
});

/** Merges the keys of `graft` (JSON text of an object) into the object at `where` in `text`, textually. */
function graftInto(text: string, where: string, graft: string): string {
  const obj = JSON.parse(text) as Record<string, unknown>;
  let target: Record<string, unknown> = obj;
  for (const k of where.split('/').filter(Boolean)) {
    const next = target[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) return text;
    target = next as Record<string, unknown>;
  }
  const marker = '"zz-graft-zz":0';
  Object.defineProperty(target, 'zz-graft-zz', { value: 0, enumerable: true, configurable: true, writable: true });
  const inner = graft.slice(1, -1);
  return JSON.stringify(obj).replace(marker, () => (inner.length > 0 ? inner : '"zz-empty-zz":0'));
}
