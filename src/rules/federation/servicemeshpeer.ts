// ServiceMeshPeer: one side of a Maistra federation (seed 004).

import { defineDefaulter, defineKind } from '../../engine/rule.ts';
import { ptr } from '../../engine/pointer.ts';
import { FEDERATION_GROUP, serviceMeshPeerSchema, type ServiceMeshPeer } from './schema.ts';

export const DEFAULT_DISCOVERY_PORT = 8188;
export const DEFAULT_SERVICE_PORT = 15443;

export const defaultRemotePorts = defineDefaulter<ServiceMeshPeer>({
  id: 'federation/default-remote-ports',
  severity: 'warning',
  summary: `spec.remote.discoveryPort defaults to ${DEFAULT_DISCOVERY_PORT} and servicePort to ${DEFAULT_SERVICE_PORT}`,
  source: '004',
  apply(_obj, _ctx, set) {
    set(ptr('spec', 'remote', 'discoveryPort'), DEFAULT_DISCOVERY_PORT, 'the documented default discovery port');
    set(ptr('spec', 'remote', 'servicePort'), DEFAULT_SERVICE_PORT, 'the documented default service port');
  },
});

export const serviceMeshPeerKind = defineKind<ServiceMeshPeer>({
  group: FEDERATION_GROUP,
  kind: 'ServiceMeshPeer',
  versions: ['v1'],
  plural: 'servicemeshpeers',
  scope: 'Namespaced',
  admission: true,
  schema: serviceMeshPeerSchema,
  defaulters: [defaultRemotePorts],
  validators: [],
});
