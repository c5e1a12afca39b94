// Maistra federation (federation.maistra.io/v1, seed 004): ServiceMeshPeer, ExportedServiceSet,
// ImportedServiceSet, and the links between them that only show when everything is visible at once.

import type { InventoryRule, KindSpec } from '../../engine/rule.ts';
import { exportedServiceSetKind } from './exportedserviceset.ts';
import { importedServiceSetKind } from './importedserviceset.ts';
import { peerReciprocal, peerReciprocalUnseen, serviceSetPeerInventory } from './peers.ts';
import { serviceMeshPeerKind } from './servicemeshpeer.ts';

// Kinds differ in their object type; the registry stores them type-erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const kinds: KindSpec<any>[] = [serviceMeshPeerKind, exportedServiceSetKind, importedServiceSetKind];
export const inventoryRules: InventoryRule[] = [peerReciprocal, peerReciprocalUnseen, serviceSetPeerInventory];
