import type { InventoryRule, KindSpec } from '../../engine/rule.ts';
import { serviceMeshPeerKind } from './servicemeshpeer.ts';

export const kinds: KindSpec<any>[] = [serviceMeshPeerKind];
export const inventoryRules: InventoryRule[] = [];
