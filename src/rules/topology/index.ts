import type { InventoryRule, KindSpec } from '../../engine/rule.ts';
import { conflictingDefinitionInventory } from './conflicts.ts';
import { meshTopologyKind } from './meshtopology.ts';

// The registry takes kinds of any object type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const kinds: KindSpec<any>[] = [meshTopologyKind];
export const inventoryRules: InventoryRule[] = [conflictingDefinitionInventory];
