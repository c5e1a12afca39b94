import type { InventoryRule, KindSpec } from '../../engine/rule.ts';

export const kinds: KindSpec<any>[] = [];
export const inventoryRules: InventoryRule[] = [];
