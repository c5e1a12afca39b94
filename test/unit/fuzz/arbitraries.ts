// fast-check generators for the fuzz tests: JSON shaped like each served kind (its real field names,
// random values and types), mutated copies of the examples, hostile keys, and AdmissionReview
// envelopes around them. Everything is sent through JSON.stringify/parse, as it would be on the wire.

import fc from 'fast-check';
import { buildRegistry } from '../../../src/rules/index.ts';
import type { KindSpec } from '../../../src/engine/rule.ts';
import type { KObject } from '../../../src/engine/types.ts';
import { exampleTopology, servedExamples, servedKinds, type ExampleObject } from '../../../bench/lib/corpus.ts';

export const registry = buildRegistry();
export const kinds: KindSpec<unknown>[] = servedKinds(registry);
export const examples: ExampleObject[] = servedExamples(registry);
export const topology = exampleTopology().view;

/** Deterministic in CI; MESHGUARD_FUZZ_SEED replays another run, MESHGUARD_FUZZ_SCALE multiplies the run counts. */
export const SEED = Number(process.env.MESHGUARD_FUZZ_SEED ?? 20261123);
export const SCALE = Number(process.env.MESHGUARD_FUZZ_SCALE ?? 1);
export function runs(n: number): number {
  return Math.max(1, Math.round(n * SCALE));
}

/** Keys that have meaning to JavaScript itself: a parser or a defaulter must treat them as plain data. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

function collectKeys(v: unknown, into: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) collectKeys(x, into);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      into.add(k);
      collectKeys(x, into);
    }
  }
}

/** Every field name the examples use: random objects built from them reach real schema paths. */
export const FIELD_NAMES: string[] = (() => {
  const s = new Set<string>();
  for (const e of examples) collectKeys(e.object, s);
  return [...s].sort();
})();

/** Strings that sit on the edges the rules parse: CIDRs, zones, ports, quantities, durations, names. */
const TRICKY_STRINGS = [
  '', ' ', '0', '-1', '1e309', 'null', 'true', '*', '*/*', '/', '~1', '..', '10.0.0.0/8', '10.0.0.1/8', '::/0', '2001:db8::/129',
  '300.1.1.1/33', '0.0.0.0/0', 'cn-hangzhou-i', 'cn-hangzhou', 'us-east-1a', 'vsw-', 'vsw-bp1jsgsanpvxpj32yai50', 'vpc-hangzhou',
  'ack-hangzhou', 'istio-system', 'default', 'ConfigMap', 'Secret', 'tcp', 'TCP', 'UDP', 'HTTP', 'tls-passthrough', '15443', '8188',
  '100m', '1Gi', '1.5', '-1Mi', '10s', '1h', '0s', '1.5ms', 'a'.repeat(300), 'ü\u0000\u2028', '\ud800', 'region/zone/sub', 'x.local',
  'red-mesh.local/ns/red-mesh-system/sa/x', 'LoadBalancer', 'ClusterIP', 'Local', 'Cluster', '25%', '0%', '%',
];

const key: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

export const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...TRICKY_STRINGS),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 65535, 65536, 2 ** 31, 2 ** 53 + 1, -0, 1e308, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

const tree = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

/** Any JSON value, with the examples' field names and hostile keys as object keys. */
export const jsonish: fc.Arbitrary<unknown> = tree.value;
export const jsonObject: fc.Arbitrary<Record<string, unknown>> = tree.object;

/** What a value looks like after a trip over the wire (no undefined, no -0 distinction, own `__proto__` keys). */
export function wire<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

// --- objects shaped like a served kind -----------------------------------------------------------------

/** apiVersion/kind of the kind, metadata with random values, and a spec built from its real field names. */
export function shapedObject(spec: KindSpec<unknown>): fc.Arbitrary<KObject> {
  const apiVersion = fc.constantFrom(...spec.versions.map((v) => (spec.group ? `${spec.group}/${v}` : v)));
  const metadata = fc.record(
    {
      name: fc.oneof(fc.constantFrom('default', 'x', 'red-mesh', 'a'.repeat(260)), fc.string({ maxLength: 20 }), leaf, jsonish),
      namespace: fc.oneof(fc.constantFrom('istio-system', 'red-mesh-system', 'default', ''), fc.string({ maxLength: 20 }), leaf, jsonish),
      labels: fc.oneof(fc.dictionary(key, fc.string({ maxLength: 10 }), { maxKeys: 3 }), jsonish),
      annotations: fc.dictionary(key, fc.string({ maxLength: 10 }), { maxKeys: 3 }),
    },
    { requiredKeys: [] },
  );
  return fc
    .record({ apiVersion, metadata: fc.oneof({ weight: 5, arbitrary: metadata }, { weight: 1, arbitrary: jsonish }), spec: jsonish, extra: jsonObject })
    .map(({ apiVersion: av, metadata: md, spec: sp, extra }) => wire({ ...extra, apiVersion: av, kind: spec.kind, metadata: md, spec: sp }) as KObject);
}

// --- mutated copies of the examples ---------------------------------------------------------------------

type Mutation =
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'insert'; at: number; key: string; value: unknown }
  | { op: 'empty'; at: number }
  | { op: 'wrapArray'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: jsonish }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), key, value: jsonish }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('empty' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrapArray' as const), at: fc.nat() }) },
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown };

function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ parent: v, key: i, value: x });
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k, value: x });
        walk(x);
      }
    }
  };
  walk(root);
  return out;
}

function define(parent: Record<string, unknown> | unknown[], k: string | number, value: unknown): void {
  // defineProperty, not assignment: a key named __proto__ must become data, as JSON.parse makes it.
  Object.defineProperty(parent, k, { value, writable: true, enumerable: true, configurable: true });
}

/** Applies the mutations to a copy; `at` picks a field (any depth) modulo the number of fields. */
export function mutate(template: KObject, mutations: readonly Mutation[]): KObject {
  const obj = structuredClone(template);
  for (const m of mutations) {
    const all = slots(obj);
    if (all.length === 0) break;
    const s = all[m.at % all.length] as Slot;
    switch (m.op) {
      case 'replace':
        define(s.parent, s.key, structuredClone(m.value));
        break;
      case 'delete':
        if (Array.isArray(s.parent)) s.parent.splice(Number(s.key), 1);
        else delete s.parent[s.key as string];
        break;
      case 'insert': {
        const target = s.value && typeof s.value === 'object' && !Array.isArray(s.value) ? (s.value as Record<string, unknown>) : undefined;
        if (target) define(target, m.key, structuredClone(m.value));
        else if (Array.isArray(s.value)) s.value.push(structuredClone(m.value));
        break;
      }
      case 'empty':
        define(s.parent, s.key, Array.isArray(s.value) ? [] : s.value && typeof s.value === 'object' ? {} : '');
        break;
      case 'wrapArray':
        define(s.parent, s.key, [s.value]);
        break;
    }
  }
  return wire(obj);
}

/** An example of the kind with 1–4 random mutations (wrong types, missing, extra and emptied fields). */
export function mutatedExample(spec: KindSpec<unknown>): fc.Arbitrary<KObject> {
  const pool = examplePool(spec);
  if (!pool) return shapedObject(spec);
  return fc.tuple(pool, fc.array(mutation, { minLength: 0, maxLength: 4 })).map(([t, ms]) => mutate(t, ms));
}

/** The kind's examples as they are; the defaultable ones drawn as often as all the others together. */
export function examplePool(spec: KindSpec<unknown>): fc.Arbitrary<KObject> | undefined {
  const all = examples.filter((e) => e.spec === spec);
  if (all.length === 0) return undefined;
  const defaultable = all.filter((e) => e.defaultable).map((e) => e.object);
  const any = fc.constantFrom(...all.map((e) => e.object));
  return defaultable.length > 0 ? fc.oneof(fc.constantFrom(...defaultable), any) : any;
}

/** Both generators for a kind, mutated examples weighted higher (they get past the schemas more often). */
export function objectOf(spec: KindSpec<unknown>): fc.Arbitrary<KObject> {
  return fc.oneof({ weight: 3, arbitrary: mutatedExample(spec) }, { weight: 1, arbitrary: shapedObject(spec) });
}

// --- AdmissionReview envelopes ----------------------------------------------------------------------------

export interface GeneratedReview {
  body: Record<string, unknown>;
  uid: string;
  webhook: 'validate' | 'mutate';
  mode: 'enforce' | 'warn' | 'audit';
}

export const uid = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }));

/** A well-formed AdmissionReview v1 carrying a generated object of the kind (and an old one for UPDATE). */
export function reviewOf(spec: KindSpec<unknown>): fc.Arbitrary<GeneratedReview> {
  return fc
    .record({
      uid,
      object: objectOf(spec),
      old: fc.oneof({ weight: 3, arbitrary: examplePool(spec) ?? objectOf(spec) }, { weight: 1, arbitrary: objectOf(spec) }),
      operation: fc.constantFrom('CREATE', 'CREATE', 'UPDATE', 'UPDATE', 'DELETE', 'CONNECT'),
      subResource: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('status', 'scale') }),
      version: fc.constantFrom(...spec.versions),
      dryRun: fc.boolean(),
      webhook: fc.constantFrom('validate' as const, 'mutate' as const),
      mode: fc.constantFrom('enforce' as const, 'warn' as const, 'audit' as const),
      namespace: fc.oneof(fc.constant(undefined), fc.constantFrom('istio-system', 'red-mesh-system', 'default')),
    })
    .map((r) => {
      const request: Record<string, unknown> = {
        uid: r.uid,
        kind: { group: spec.group, version: r.version, kind: spec.kind },
        resource: { group: spec.group, version: r.version, resource: spec.plural },
        operation: r.operation,
        userInfo: { username: 'fuzz' },
        object: r.operation === 'DELETE' ? null : r.object,
        dryRun: r.dryRun,
      };
      if (r.namespace !== undefined) request.namespace = r.namespace;
      if (r.subResource) request.subResource = r.subResource;
      if (r.operation === 'UPDATE' || r.operation === 'DELETE') request.oldObject = r.old;
      return { body: wire({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }), uid: r.uid, webhook: r.webhook, mode: r.mode };
    });
}

type Corruption = { field: number; action: 'delete' | 'replace'; value: unknown };

const ENVELOPE_FIELDS = [
  [],
  ['apiVersion'],
  ['kind'],
  ['request'],
  ['request', 'uid'],
  ['request', 'kind'],
  ['request', 'kind', 'group'],
  ['request', 'kind', 'version'],
  ['request', 'kind', 'kind'],
  ['request', 'resource'],
  ['request', 'subResource'],
  ['request', 'name'],
  ['request', 'namespace'],
  ['request', 'operation'],
  ['request', 'userInfo'],
  ['request', 'object'],
  ['request', 'oldObject'],
  ['request', 'dryRun'],
] as const;

function corrupt(body: Record<string, unknown>, cs: readonly Corruption[]): unknown {
  let root: unknown = structuredClone(body);
  for (const c of cs) {
    const path = ENVELOPE_FIELDS[c.field % ENVELOPE_FIELDS.length] as readonly string[];
    if (path.length === 0) {
      root = c.value;
      continue;
    }
    let parent: unknown = root;
    for (const k of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[k] : undefined;
    if (!parent || typeof parent !== 'object' || Array.isArray(parent)) continue;
    const last = path[path.length - 1] as string;
    if (c.action === 'delete') delete (parent as Record<string, unknown>)[last];
    else (parent as Record<string, unknown>)[last] = c.value;
  }
  return wire(root);
}

/**
 * Well-formed reviews of random kinds with 1–3 envelope fields deleted or replaced by random values of any
 * type (the body itself too, now and then): must decode to a 400 naming the field, or get a proper answer.
 */
export const brokenEnvelope: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...kinds).chain((k) => reviewOf(k)),
    fc.array(fc.record({ field: fc.nat(), action: fc.constantFrom('delete' as const, 'replace' as const), value: jsonish }), { minLength: 1, maxLength: 3 }),
  )
  .map(([g, cs]) => corrupt(g.body, cs));
