// Shapes of the Maistra federation kinds (federation.maistra.io/v1, seed 004). Shape only: every object
// is loose (unknown and misplaced fields are kept for the misplaced-field rules to name), nothing is
// required, nothing is defaulted here.

import { z } from 'zod';
import { resource } from '../common/schema.ts';

export const FEDERATION_GROUP = 'federation.maistra.io';
export const FEDERATION_VERSIONS = ['v1'] as const;

const nameRef = z.looseObject({ name: z.string().optional() });

export const serviceMeshPeerSchema = resource(
  z
    .looseObject({
      remote: z
        .looseObject({
          addresses: z.array(z.string()).optional(),
          discoveryPort: z.number().optional(),
          servicePort: z.number().optional(),
        })
        .optional(),
      gateways: z.looseObject({ ingress: nameRef.optional(), egress: nameRef.optional() }).optional(),
      security: z
        .looseObject({
          trustDomain: z.string().optional(),
          clientID: z.string().optional(),
          certificateChain: z.looseObject({ kind: z.string().optional(), name: z.string().optional() }).optional(),
          allowDirectInbound: z.boolean().optional(),
          allowDirectOutbound: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
);
export type ServiceMeshPeer = z.infer<typeof serviceMeshPeerSchema>;

const serviceRef = z.looseObject({ namespace: z.string().optional(), name: z.string().optional() });

/** ServiceNameMapping: `namespace`/`name` (either may be `*`) and an optional alias. */
const nameMapping = z.looseObject({
  namespace: z.string().optional(),
  name: z.string().optional(),
  alias: serviceRef.optional(),
});

const labelSelectorRequirement = z.looseObject({
  key: z.string().optional(),
  operator: z.string().optional(),
  values: z.array(z.string()).optional(),
});

export const exportedServiceSetSchema = resource(
  z
    .looseObject({
      exportRules: z
        .array(
          z.looseObject({
            type: z.string().optional(),
            nameSelector: nameMapping.optional(),
            labelSelector: z
              .looseObject({
                namespace: z.string().optional(),
                selector: z
                  .looseObject({
                    matchLabels: z.record(z.string(), z.string()).optional(),
                    matchExpressions: z.array(labelSelectorRequirement).optional(),
                  })
                  .optional(),
                aliases: z.array(nameMapping).optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
);
export type ExportedServiceSet = z.infer<typeof exportedServiceSetSchema>;

export const importedServiceSetSchema = resource(
  z
    .looseObject({
      domainSuffix: z.string().optional(),
      locality: z
        .looseObject({ region: z.string().optional(), zone: z.string().optional(), subzone: z.string().optional() })
        .optional(),
      importRules: z
        .array(
          z.looseObject({
            type: z.string().optional(),
            importAsLocal: z.boolean().optional(),
            domainSuffix: z.string().optional(),
            nameSelector: nameMapping.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
);
export type ImportedServiceSet = z.infer<typeof importedServiceSetSchema>;
