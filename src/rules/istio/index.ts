// Istio family (issue 7, seeds 001 and 003): locality failover / distribution in DestinationRules,
// east-west Gateways, multi-network IstioOperators, and — audit/CLI only — the istio ConfigMap's
// meshNetworks and the east-west gateway Service.

import type { InventoryRule, KindSpec } from '../../engine/rule.ts';
import { eastWestServiceKind, istioConfigMapKind } from './core.ts';
import { destinationRuleKind } from './destinationrule.ts';
import { gatewayKind } from './gateway.ts';
import { crossObjectCidrOverlap, crossObjectRegistryConflict } from './inventory.ts';
import { istioOperatorKind } from './istiooperator.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds kinds of different object types
export const kinds: KindSpec<any>[] = [destinationRuleKind, gatewayKind, istioOperatorKind, istioConfigMapKind, eastWestServiceKind];
export const inventoryRules: InventoryRule[] = [crossObjectCidrOverlap, crossObjectRegistryConflict];
