import type { InventoryRule, KindSpec } from '../../engine/rule.ts';
import { asmPvlConfigKind } from './asmpvlconfig.ts';
import { istioGatewayKind } from './istiogateway.ts';

// Other istio.alibabacloud.com kinds (ASMLocalRateLimiter, ASMCircuitBreaker, ASMSwimLaneGroup,
// ASMSwimLane …) are deliberately not registered: meshguard has no rules for them, so they pass as unknown.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds kinds of different object types
export const kinds: KindSpec<any>[] = [asmPvlConfigKind, istioGatewayKind];
export const inventoryRules: InventoryRule[] = [];
