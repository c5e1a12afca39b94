// The request mix: every example object of a served kind (valid, broken, defaultable), each as four
// AdmissionReviews — CREATE and UPDATE (with an oldObject), to /validate and to /mutate — pre-serialised
// so the client spends nothing on JSON. The same bodies go to meshguard and to the floor.

import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Registry } from '../../src/engine/registry.ts';
import type { KObject } from '../../src/engine/types.ts';
import { exampleTopologyObjects, servedExamples, servedKinds, type ExampleObject } from './corpus.ts';
import type { RequestBody } from './load.ts';

export interface Mix {
  bodies: RequestBody[];
  /** Per kind: example objects (valid / broken / defaultable) and the number of bodies. */
  byKind: Array<{ kind: string; valid: number; broken: number; defaultable: number; bodies: number }>;
  /** Served kinds with no example (not in the mix). */
  missing: string[];
  meanBytes: number;
}

function review(e: ExampleObject, operation: 'CREATE' | 'UPDATE', uid: string): Record<string, unknown> {
  const o = e.object;
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  const request: Record<string, unknown> = {
    uid,
    kind: { group, version, kind: o.kind },
    resource: { group, version, resource: e.spec.plural },
    requestKind: { group, version, kind: o.kind },
    name: o.metadata?.name,
    operation,
    userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object: o,
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
  };
  if (e.spec.scope === 'Namespaced') request.namespace = o.metadata?.namespace ?? 'default';
  if (operation === 'UPDATE') {
    // What the apiserver sends on an update: the stored object (one generation older) next to the new one.
    const old: KObject = structuredClone(o);
    old.metadata = { ...(old.metadata ?? {}), resourceVersion: '41', generation: 1, labels: { ...(old.metadata?.labels ?? {}), previous: 'true' } };
    request.object = { ...o, metadata: { ...(o.metadata ?? {}), resourceVersion: '41', generation: 1 } };
    request.oldObject = old;
  }
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

export function buildMix(registry: Registry): Mix {
  const examples = servedExamples(registry);
  const bodies: RequestBody[] = [];
  let n = 0;
  for (const e of examples) {
    for (const operation of ['CREATE', 'UPDATE'] as const) {
      for (const path of ['/mutate', '/validate']) {
        const uid = `bench-${n++}`;
        bodies.push({ path, uid, label: `${e.spec.kind} ${path}`, payload: Buffer.from(JSON.stringify(review(e, operation, uid))) });
      }
    }
  }
  // Interleave kinds so every window of the run sees the whole mix, deterministically.
  const shuffled = bodies.map((b, i) => ({ b, k: (i * 2654435761) % 4294967296 })).sort((x, y) => x.k - y.k).map((x) => x.b);
  const byKind = servedKinds(registry).map((k) => {
    const of = examples.filter((e) => e.spec === k);
    return {
      kind: k.kind,
      valid: of.filter((e) => !e.broken).length,
      broken: of.filter((e) => e.broken).length,
      defaultable: of.filter((e) => e.defaultable).length,
      bodies: of.length * 4,
    };
  });
  return {
    bodies: shuffled,
    byKind,
    missing: byKind.filter((k) => k.bodies === 0).map((k) => k.kind),
    meanBytes: Math.round(bodies.reduce((s, b) => s + b.payload.length, 0) / Math.max(1, bodies.length)),
  };
}

/** The valid examples' MeshTopology documents as one file, for `serve --topology`. */
export function writeExampleTopology(file: string): number {
  const objects = exampleTopologyObjects();
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  return objects.length;
}
