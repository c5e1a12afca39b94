import { z } from 'zod';
import { resource } from '../common/schema.ts';

export const ASM_GROUP = 'istio.alibabacloud.com';

const vSwitchRef = z.looseObject({ vSwitchId: z.string().optional(), zoneId: z.string().optional() });

export const asmPvlConfigSchema = resource(
  z.looseObject({
    ackVpcEndpoint: z.array(z.looseObject({ clusterId: z.string().optional(), vSwitches: z.array(vSwitchRef).optional() })).optional(),
    asmVpcEndpoint: z.looseObject({ vSwitches: z.array(vSwitchRef).optional() }).optional(),
  }),
);
export type AsmPvlConfig = z.infer<typeof asmPvlConfigSchema>;
