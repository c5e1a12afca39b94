import { z } from 'zod';
import { resource } from '../common/schema.ts';

export const FEDERATION_GROUP = 'federation.maistra.io';

export const serviceMeshPeerSchema = resource(
  z.looseObject({
    remote: z
      .looseObject({
        addresses: z.array(z.string()).optional(),
        discoveryPort: z.number().optional(),
        servicePort: z.number().optional(),
      })
      .optional(),
  }).optional(),
);
export type ServiceMeshPeer = z.infer<typeof serviceMeshPeerSchema>;
