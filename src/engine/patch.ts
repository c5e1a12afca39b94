// RFC 6902 patch from the raw incoming object to the defaulted one. Only `add` ops of absent paths
// survive: whatever a defaulter did, the user's fields are never removed or rewritten.

import fastJsonPatch from 'fast-json-patch';
import { hasAt } from './pointer.ts';

export interface AddOp {
  op: 'add';
  path: string;
  value: unknown;
}

export interface PatchResult {
  ops: AddOp[];
  /** Ops a defaulter produced that would have touched user data; a bug, reported by the caller. */
  rejected: Array<{ op: string; path: string }>;
}

export function additivePatch(raw: unknown, defaulted: unknown): PatchResult {
  const ops = fastJsonPatch.compare(raw as object, defaulted as object);
  const result: PatchResult = { ops: [], rejected: [] };
  for (const op of ops) {
    if (op.op === 'add' && !hasAt(raw, op.path)) result.ops.push({ op: 'add', path: op.path, value: op.value });
    else result.rejected.push({ op: op.op, path: op.path });
  }
  return result;
}

/** Applies a patch to a copy (used by tests and the `defaults` CLI to show the stored object). */
export function applyPatch<T>(doc: T, ops: readonly AddOp[]): T {
  return fastJsonPatch.applyPatch(structuredClone(doc), ops as fastJsonPatch.Operation[], true, false).newDocument;
}
