import type { InventoryRule, KindSpec } from '../../engine/rule.ts';
import { asmPvlConfigKind } from './asmpvlconfig.ts';

export const kinds: KindSpec<any>[] = [asmPvlConfigKind];
export const inventoryRules: InventoryRule[] = [];
