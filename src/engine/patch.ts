// RFC 6902 patches of defaulting. Defaulters can only add: every default goes through `AddRecorder.set`,
// which writes where nothing is (setIfAbsent) and records the `add` operation that amounts to. The patch
// is therefore only adds of absent paths by construction: it never removes or rewrites a user's field.

import fastJsonPatch from 'fast-json-patch';
import { cloneJson } from './clone.ts';
import { writeIfAbsent, type Written } from './pointer.ts';

export interface AddOp {
  op: 'add';
  path: string;
  value: unknown;
}

export class AddRecorder {
  /** Values this recorder added: a later default inside one of them is already part of its op. */
  readonly #ours = new WeakSet<object>();
  readonly #writes: Written[] = [];

  set(root: Record<string, unknown>, pointer: string, value: unknown): boolean {
    let insideOurs = false;
    const w = writeIfAbsent(root, pointer, value, (container) => {
      if (this.#ours.has(container)) insideOurs = true;
    });
    if (!w) return false;
    if (!insideOurs) {
      this.#writes.push(w);
      const top = w.parent[w.key];
      if (typeof top === 'object' && top !== null) this.#ours.add(top);
    }
    return true;
  }

  /** The operations in the order the defaults were first written, each with its value as it ended up. */
  ops(): AddOp[] {
    return this.#writes.map((w) => ({ op: 'add', path: w.path, value: cloneJson(w.parent[w.key]) }));
  }
}

/** Applies a patch to a copy (used by tests and the `defaults` CLI to show the stored object). */
export function applyPatch<T>(doc: T, ops: readonly AddOp[]): T {
  return fastJsonPatch.applyPatch(structuredClone(doc), ops as fastJsonPatch.Operation[], true, false).newDocument;
}
