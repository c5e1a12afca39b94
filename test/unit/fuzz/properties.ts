// The properties every fuzz test checks, written independently of the engine's own helpers so they
// are an oracle, not a restatement: the envelope, the patch, and what the patch may touch.

import assert from 'node:assert/strict';
import fastJsonPatch from 'fast-json-patch';

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

const HOSTILE_SEGMENT = /(^|\/)(__proto__|constructor|prototype)(\/|$)/;

function tokens(pointer: string): string[] {
  assert.ok(pointer === '' || pointer.startsWith('/'), `not a JSON pointer: ${pointer}`);
  return pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Own-property walk (never the prototype chain): is there a value at `pointer`? */
export function present(root: unknown, pointer: string): boolean {
  let cur: unknown = root;
  for (const t of tokens(pointer)) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(t) || Number(t) >= cur.length) return false;
      cur = cur[Number(t)];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.hasOwn(cur, t)) return false;
      cur = (cur as Record<string, unknown>)[t];
    } else return false;
  }
  return true;
}

/** Every (pointer, value) of leaves and empty containers: what the user wrote. */
export function leaves(root: unknown, base = ''): Array<[string, unknown]> {
  if (Array.isArray(root)) return root.length === 0 ? [[base, root]] : root.flatMap((v, i) => leaves(v, `${base}/${i}`));
  if (root !== null && typeof root === 'object') {
    const entries = Object.entries(root);
    return entries.length === 0 ? [[base, root]] : entries.flatMap(([k, v]) => leaves(v, `${base}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return [[base, root]];
}

function at(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const t of tokens(pointer)) cur = Array.isArray(cur) ? cur[Number(t)] : (cur as Record<string, unknown>)[t];
  return cur;
}

/** RFC 6902 `add` by own properties (for paths fast-json-patch refuses to touch, e.g. a user key named __proto__). */
function addOwn(root: unknown, pointer: string, value: unknown): void {
  const ts = tokens(pointer);
  const last = ts.pop() as string;
  const parent = at(root, ts.length ? '/' + ts.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/') : '');
  assert.ok(parent !== null && typeof parent === 'object', `add ${pointer}: parent is not a container`);
  if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, value);
  else Object.defineProperty(parent, last, { value, writable: true, enumerable: true, configurable: true });
}

export interface PatchStats {
  ops: number;
  hostilePaths: number;
}

/**
 * The patch (1) only adds, (2) only at paths absent from the original, (3) applies to the original with
 * fast-json-patch's validation on, and (4) leaves every value the user wrote where it was, unchanged.
 * Returns the patched object.
 */
export function checkPatch(original: unknown, ops: readonly PatchOp[], stats?: PatchStats): unknown {
  for (const op of ops) {
    assert.equal(op.op, 'add', `patch op ${op.op} ${op.path}: only add is allowed`);
    assert.ok(!present(original, op.path), `patch adds ${op.path}, which the user already set`);
  }
  let patched: unknown = structuredClone(original);
  const plain = ops.filter((op) => !HOSTILE_SEGMENT.test(op.path));
  if (plain.length === ops.length) {
    patched = fastJsonPatch.applyPatch(patched, ops as fastJsonPatch.Operation[], true, true).newDocument;
  } else {
    for (const op of ops) addOwn(patched, op.path, op.value);
    if (stats) stats.hostilePaths += ops.length - plain.length;
  }
  if (stats) stats.ops += ops.length;
  for (const [pointer, value] of leaves(original)) {
    assert.ok(present(patched, pointer), `patch removed ${pointer}`);
    const now = at(patched, pointer);
    if (value !== null && typeof value === 'object') assert.equal(typeof now, 'object', `patch replaced ${pointer}`);
    else assert.deepEqual(now, value, `patch changed ${pointer}`);
  }
  return patched;
}

export function decodePatch(b64: unknown): PatchOp[] {
  assert.equal(typeof b64, 'string', 'patch is base64 text');
  const ops: unknown = JSON.parse(Buffer.from(b64 as string, 'base64').toString('utf8'));
  assert.ok(Array.isArray(ops), 'patch decodes to a JSON array');
  return ops as PatchOp[];
}

/**
 * A well-formed AdmissionReview v1 answer for `uid`: version echoed, allowed a boolean, a denial with a
 * 403 status and a message, warnings short strings, a patch only from /mutate and only as base64 JSONPatch.
 */
export function checkReview(out: unknown, uid: string, webhook: 'validate' | 'mutate'): { allowed: boolean; patch: PatchOp[] } {
  const review = out as { apiVersion?: unknown; kind?: unknown; response?: Record<string, unknown> };
  assert.equal(review.apiVersion, 'admission.k8s.io/v1');
  assert.equal(review.kind, 'AdmissionReview');
  const r = review.response;
  assert.ok(r && typeof r === 'object', 'response present');
  assert.equal(r.uid, uid, 'response.uid echoes request.uid');
  assert.equal(typeof r.allowed, 'boolean');
  if (r.allowed === false) {
    const status = r.status as { code?: unknown; message?: unknown } | undefined;
    assert.equal(status?.code, 403);
    assert.ok(typeof status?.message === 'string' && status.message.length > 0, 'a denial says why');
  }
  if (r.warnings !== undefined) {
    assert.ok(Array.isArray(r.warnings));
    for (const w of r.warnings) assert.ok(typeof w === 'string' && w.length <= 120, `warning too long or not text: ${String(w).slice(0, 200)}`);
  }
  let patch: PatchOp[] = [];
  if (r.patch !== undefined) {
    assert.equal(webhook, 'mutate', 'only /mutate patches');
    assert.equal(r.patchType, 'JSONPatch');
    patch = decodePatch(r.patch);
    assert.ok(patch.length > 0, 'an empty patch is left out');
  } else assert.equal(r.patchType, undefined);
  return { allowed: r.allowed as boolean, patch };
}

/** Nothing reached Object.prototype (a `__proto__` key handled as an assignment would show up here). */
export function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'x', 'remote', 'spec', 'name', 'y', 'a']) assert.equal(probe[k], undefined, `Object.prototype.${k} was set`);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_KEYS);
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
