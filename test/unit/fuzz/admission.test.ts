// Fuzzing the admission path in process (decodeReview → handleAdmission), every served kind: objects
// shaped like the kind with random values and types in its real fields, mutated examples, hostile keys,
// broken envelopes and arbitrary JSON. Properties: a well-formed AdmissionReview answer echoing the uid
// (or, for a body that is not a review, a decode error naming the problem), never a throw; a patch only
// adds absent fields, applies to the original and is idempotent.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { handleAdmission, type AdmissionState } from '../../../src/admission/handle.ts';
import { decodeReview, type AdmissionRequest } from '../../../src/admission/review.ts';
import { DEFAULT_CONFIG } from '../../../src/config/config.ts';
import { brokenEnvelope, jsonish, kinds, registry, reviewOf, runs, SEED, topology, wire } from './arbitraries.ts';
import { assertNoPollution, checkPatch, checkReview, type PatchStats } from './properties.ts';

const baseState: AdmissionState = {
  explainMutations: DEFAULT_CONFIG.explainMutations,
  maxWarnings: DEFAULT_CONFIG.maxWarnings,
  clusterDomain: DEFAULT_CONFIG.clusterDomain,
};
const withTopology: AdmissionState = { ...baseState, topology };

const PER_KIND = runs(5000);
const ENVELOPES = runs(8000);
const ARBITRARY = runs(15000);

describe('fuzz: AdmissionReviews of every served kind, in process', () => {
  assert.ok(kinds.length >= 9, `served kinds: ${kinds.map((k) => k.kind).join(', ')}`);
  kinds.forEach((spec, i) => {
    test(`${spec.kind}: random field values → a well-formed answer with the uid; patches only add, apply and are idempotent`, (t) => {
      const counts = { inputs: 0, evaluated: 0, denied: 0, patched: 0, withTopology: 0 };
      const stats: PatchStats = { ops: 0, hostilePaths: 0 };
      fc.assert(
        fc.property(reviewOf(spec), fc.boolean(), (g, useTopology) => {
          counts.inputs++;
          // As the server gets it: its own parse of the body, which it defaults in place. The apiserver
          // keeps the original and applies the patch to it.
          const decoded = decodeReview(wire(g.body));
          assert.ok(decoded.ok, decoded.ok ? '' : decoded.error);
          const original = structuredClone(decoded.request.object);
          const state = useTopology ? withTopology : baseState;
          if (useTopology) counts.withTopology++;
          const result = handleAdmission(registry, g.webhook, g.mode, decoded.request, state);
          // What goes on the wire: the JSON text of the review.
          const { allowed, patch } = checkReview(wire(result.review), g.uid, g.webhook);
          if (result.evaluated) counts.evaluated++;
          if (!allowed) counts.denied++;
          if (patch.length > 0) {
            counts.patched++;
            const patched = checkPatch(original, patch, stats);
            // reinvocationPolicy: IfNeeded sends the patched object again: nothing more to add.
            const again: AdmissionRequest = { ...decoded.request, uid: `${g.uid}-2`, object: patched as AdmissionRequest['object'] };
            const second = checkReview(wire(handleAdmission(registry, 'mutate', g.mode, again, state).review), `${g.uid}-2`, 'mutate');
            assert.deepEqual(second.patch, [], 'a second pass yields an empty patch');
          }
        }),
        { seed: SEED + i, numRuns: PER_KIND },
      );
      assertNoPollution();
      t.diagnostic(
        `${spec.kind}: ${counts.inputs} inputs (seed ${SEED + i}): ${counts.evaluated} evaluated, ${counts.denied} denied, ${counts.patched} patched ` +
          `(${stats.ops} add ops, ${stats.hostilePaths} under hostile keys), ${counts.withTopology} with the topology`,
      );
      assert.ok(counts.evaluated > counts.inputs / 10, 'most inputs reach the engine (the generator is not only producing skips)');
      if (spec.defaulters.length > 0) assert.ok(counts.patched > 0, `${spec.kind} has defaulters but no generated input was patched`);
    });
  });
});

describe('fuzz: envelopes and bodies that are not (quite) AdmissionReviews, in process', () => {
  test('random values and types in every envelope field → a decode error naming the field, or a well-formed answer', (t) => {
    let inputs = 0;
    let answered = 0;
    fc.assert(
      fc.property(brokenEnvelope, fc.constantFrom('validate' as const, 'mutate' as const), (body, webhook) => {
        inputs++;
        const decoded = decodeReview(structuredClone(body));
        if (!decoded.ok) {
          assert.match(decoded.error, /^not an AdmissionReview admission\.k8s\.io\/v1: \S/);
          return;
        }
        answered++;
        const original = structuredClone(decoded.request.object);
        const result = handleAdmission(registry, webhook, 'enforce', decoded.request, withTopology);
        const { patch } = checkReview(wire(result.review), decoded.request.uid, webhook);
        if (patch.length > 0) checkPatch(original, patch);
      }),
      { seed: SEED + 100, numRuns: ENVELOPES },
    );
    assertNoPollution();
    t.diagnostic(`envelopes: ${inputs} inputs (seed ${SEED + 100}), ${answered} decoded and answered, ${inputs - answered} rejected with a named field`);
    assert.ok(answered > 0 && answered < inputs, 'both outcomes occur');
  });

  test('arbitrary JSON values as the body → a decode error, never a throw', (t) => {
    let inputs = 0;
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.jsonValue({ maxDepth: 6 })), (body) => {
        inputs++;
        const decoded = decodeReview(wire(body));
        assert.equal(decoded.ok, false);
      }),
      { seed: SEED + 101, numRuns: ARBITRARY },
    );
    t.diagnostic(`arbitrary JSON: ${inputs} inputs (seed ${SEED + 101})`);
  });
});

describe('fuzz: size and depth extremes, in process', () => {
  const spec = kinds.find((k) => k.kind === 'ServiceMeshPeer') ?? kinds[0]!;
  const base = () => ({ apiVersion: `${spec.group}/${spec.versions[0]}`, kind: spec.kind, metadata: { name: 'x', namespace: 'red-mesh-system' } });
  const request = (object: Record<string, unknown>, uid: string): AdmissionRequest => ({
    uid,
    kind: { group: spec.group, version: spec.versions[0]!, kind: spec.kind },
    operation: 'CREATE',
    object,
  });

  test('arrays of 10k–50k elements in list fields and unknown fields are answered', (t) => {
    let inputs = 0;
    for (const n of [10_000, 50_000]) {
      for (const [where, object] of [
        ['spec.remote.addresses (distinct)', { ...base(), spec: { remote: { addresses: Array.from({ length: n }, (_, i) => `h${i}.example.com`) } } }],
        ['spec.unknown', { ...base(), spec: { unknown: Array.from({ length: n }, (_, i) => ({ i })) } }],
        ['metadata.labels', { ...base(), metadata: { name: 'x', labels: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])) } }],
      ] as const) {
        for (const webhook of ['validate', 'mutate'] as const) {
          inputs++;
          const uid = `huge-${n}-${inputs}`;
          const started = performance.now();
          const result = handleAdmission(registry, webhook, 'enforce', request(wire(object), uid), withTopology);
          const { patch } = checkReview(wire(result.review), uid, webhook);
          if (patch.length > 0) checkPatch(object, patch);
          t.diagnostic(`${webhook} ${where} × ${n}: ${(performance.now() - started).toFixed(0)} ms`);
        }
      }
    }
    t.diagnostic(`huge arrays: ${inputs} inputs`);
  });

  test('nesting up to 1,000 levels deep in spec is answered in process', (t) => {
    let inputs = 0;
    for (const depth of [10, 100, 500, 1000]) {
      let deep: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < depth; i++) deep = { a: deep };
      for (const webhook of ['validate', 'mutate'] as const) {
        inputs++;
        const uid = `deep-${depth}-${webhook}`;
        const result = handleAdmission(registry, webhook, 'enforce', request({ ...base(), spec: { remote: deep } }, uid), withTopology);
        checkReview(result.review, uid, webhook);
      }
    }
    t.diagnostic(`deep nesting: ${inputs} inputs`);
  });

  test(
    'an object whose apiVersion is not a string is answered, not thrown',
    () => {
      // Found by this fuzzer: splitApiVersion called apiVersion.indexOf on whatever it got.
      for (const apiVersion of [5, true, {}, ['a']]) {
        const result = handleAdmission(registry, 'validate', 'enforce', request({ ...base(), apiVersion }, 'typemeta'), withTopology);
        checkReview(result.review, 'typemeta', 'validate');
      }
    },
  );

  test(
    'an object whose metadata.namespace or name is not a string is answered, not thrown',
    () => {
      // Found by this fuzzer: a namespace array holding {"toString":"x"} threw in a template literal.
      const hostile = JSON.parse('[{"toString":"x"}]') as unknown;
      for (const metadata of [{ name: 'x', namespace: hostile }, { name: hostile }]) {
        const object = { ...base(), metadata, spec: {} } as Record<string, unknown>;
        const result = handleAdmission(registry, 'validate', 'enforce', { ...request(object, 'objectmeta'), namespace: undefined }, withTopology);
        checkReview(result.review, 'objectmeta', 'validate');
      }
    },
  );

  test(
    'nesting 10,000 levels deep in a served object gets an AdmissionReview answer from /mutate',
    () => {
      let deep: Record<string, unknown> = { leaf: 1 };
      // Found by this fuzzer: structuredClone overflowed the stack from ~2,000 levels (a 400 over HTTP).
      for (let i = 0; i < 10_000; i++) deep = { a: deep };
      const result = handleAdmission(registry, 'mutate', 'enforce', request({ ...base(), spec: { remote: deep } }, 'deep-10k'), withTopology);
      checkReview(result.review, 'deep-10k', 'mutate');
    },
  );
});
