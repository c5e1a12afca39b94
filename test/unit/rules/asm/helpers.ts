// Shared by the ASM tests: a registry of this family alone (so another family's work in progress cannot
// break these tests; test/unit/rules/asm/registry.test.ts checks the family inside the full registry),
// and paths to the examples and the shared corpus.

import { fileURLToPath } from 'node:url';
import { Registry } from '../../../../src/engine/registry.ts';
import * as asm from '../../../../src/rules/asm/index.ts';

export function asmRegistry(): Registry {
  return new Registry(asm.kinds, asm.inventoryRules);
}

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../../../../examples/asm/', import.meta.url));
/** /work/shared/corpus/manifests, next to the repository (read at test time, never copied). */
export const CORPUS = fileURLToPath(new URL('../../../../../shared/corpus/manifests/', import.meta.url));
