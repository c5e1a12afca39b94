import { z } from 'zod';
import { intOrString, resource } from '../common/schema.ts';

export const ASM_GROUP = 'istio.alibabacloud.com';

const vSwitchRef = z.looseObject({ vSwitchId: z.string().optional(), zoneId: z.string().optional() });

// ASMPvlConfig (seeds 000/002). `status` is written by ASM only; the loose object keeps it untouched.
export const asmPvlConfigSchema = resource(
  z.looseObject({
    ackVpcEndpoint: z.array(z.looseObject({ clusterId: z.string().optional(), vSwitches: z.array(vSwitchRef).optional() })).optional(),
    asmVpcEndpoint: z.looseObject({ vSwitches: z.array(vSwitchRef).optional() }).optional(),
  }),
);
export type AsmPvlConfig = z.infer<typeof asmPvlConfigSchema>;

// IstioGateway (seed 003, corpus istiogateway-*). Only the fields meshguard reads are typed; the many
// other knobs (secretVolumes, kernel, sds, serviceAnnotations …) are kept as they are.
const quantityValue = z.union([z.string(), z.number()]);
const resourceList = z.record(z.string(), quantityValue);

export const istioGatewayPortSchema = z.looseObject({
  name: z.string().optional(),
  port: z.number().int().optional(),
  targetPort: z.number().int().optional(),
  protocol: z.string().optional(),
});

export const istioGatewaySchema = resource(
  z
    .looseObject({
      gatewayType: z.string().optional(),
      serviceType: z.string().optional(),
      externalTrafficPolicy: z.string().optional(),
      ports: z.array(istioGatewayPortSchema).optional(),
      replicaCount: z.number().int().optional(),
      minReplicas: z.number().int().optional(),
      maxReplicas: z.number().int().optional(),
      resources: z.looseObject({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
      rollingMaxSurge: intOrString.optional(),
      rollingMaxUnavailable: intOrString.optional(),
    })
    .optional(),
);
export type IstioGateway = z.infer<typeof istioGatewaySchema>;
export type IstioGatewayPort = z.infer<typeof istioGatewayPortSchema>;
