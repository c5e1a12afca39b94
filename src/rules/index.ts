// Every rule family, assembled into the one registry all three fronts use.

import { Registry } from '../engine/registry.ts';
import * as asm from './asm/index.ts';
import * as federation from './federation/index.ts';
import * as istio from './istio/index.ts';
import * as topology from './topology/index.ts';

const families = [topology, asm, federation, istio];

export function buildRegistry(): Registry {
  return new Registry(
    families.flatMap((f) => f.kinds),
    families.flatMap((f) => f.inventoryRules),
  );
}
