// Shared by the ASM tests: a registry of this family alone (so another family's work in progress cannot
// break these tests; test/unit/rules/asm/registry.test.ts checks the family inside the full registry),
// paths to the examples and the shared corpus, and the check of one row of an invalid-object table.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { RuleContext } from '../../../../src/engine/context.ts';
import { Registry } from '../../../../src/engine/registry.ts';
import type { Finding, KObject, Severity } from '../../../../src/engine/types.ts';
import * as asm from '../../../../src/rules/asm/index.ts';

export function asmRegistry(): Registry {
  return new Registry(asm.kinds, asm.inventoryRules);
}

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../../../../examples/asm/', import.meta.url));
/** /work/shared/corpus/manifests, next to the repository (read at test time, never copied). */
export const CORPUS = fileURLToPath(new URL('../../../../../shared/corpus/manifests/', import.meta.url));

/** A row of an invalid-object table: `obj` makes `rule` report once, at `path`. */
export interface InvalidCase {
  name: string;
  obj: KObject;
  rule: string;
  path: string;
  severity: Severity;
  fix: RegExp;
  message?: RegExp;
  ctx?: RuleContext;
}

/** Asserts that `c.rule` reported exactly once among `findings`, with the row's path, severity, fix and message, each on one line. */
export function assertInvalidCase(findings: Finding[], c: InvalidCase): void {
  const found = findings.filter((f) => f.rule === c.rule);
  assert.equal(found.length, 1, JSON.stringify(found));
  const f = found[0]!;
  assert.equal(f.path, c.path);
  assert.equal(f.severity, c.severity);
  assert.match(f.fix ?? '', c.fix);
  if (c.message) assert.match(f.message, c.message);
  assert.ok(!f.message.includes('\n') && !(f.fix ?? '').includes('\n'), 'one line');
}
