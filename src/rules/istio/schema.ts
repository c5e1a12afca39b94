// Shapes of the Istio kinds meshguard reads (seeds 001, 003). Shape only: loose objects keep every
// field meshguard does not type (historic ones such as outlierDetection.consecutiveErrors or
// connectionPool.http.maxRequests included), nothing is required beyond what the engine needs, nothing
// is defaulted. Fields users commonly leave empty in YAML (`failover:`) are nullish so an empty key is
// not a schema error.

import { z } from 'zod';
import { objectMeta, resource } from '../common/schema.ts';

export const NETWORKING_GROUP = 'networking.istio.io';
export const NETWORKING_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;
export const INSTALL_GROUP = 'install.istio.io';
export const INSTALL_VERSIONS = ['v1alpha1'] as const;

const uint = z.number();

// ---- DestinationRule ----

export const distributeSchema = z.looseObject({
  from: z.string().nullish(),
  to: z.record(z.string(), z.number()).nullish(),
});
export const failoverSchema = z.looseObject({
  from: z.string().nullish(),
  to: z.string().nullish(),
});
export const localityLbSettingSchema = z.looseObject({
  enabled: z.boolean().nullish(),
  distribute: z.array(distributeSchema).nullish(),
  failover: z.array(failoverSchema).nullish(),
  failoverPriority: z.array(z.string()).nullish(),
});
export const loadBalancerSchema = z.looseObject({
  localityLbSetting: localityLbSettingSchema.nullish(),
  zoneAwareLbSetting: z.looseObject({}).nullish(),
});
export const outlierDetectionSchema = z.looseObject({
  consecutive5xxErrors: uint.nullish(),
  consecutiveGatewayErrors: uint.nullish(),
  consecutiveErrors: z.number().nullish(),
  consecutiveLocalOriginFailures: uint.nullish(),
  splitExternalLocalOriginErrors: z.boolean().nullish(),
  interval: z.string().nullish(),
  baseEjectionTime: z.string().nullish(),
  maxEjectionPercent: z.number().nullish(),
  minHealthPercent: z.number().nullish(),
});
export const portTrafficPolicySchema = z.looseObject({
  port: z.looseObject({ number: z.number().nullish() }).nullish(),
  loadBalancer: loadBalancerSchema.nullish(),
  outlierDetection: outlierDetectionSchema.nullish(),
});
export const trafficPolicySchema = z.looseObject({
  loadBalancer: loadBalancerSchema.nullish(),
  outlierDetection: outlierDetectionSchema.nullish(),
  portLevelSettings: z.array(portTrafficPolicySchema).nullish(),
});
export const destinationRuleSchema = resource(
  z.looseObject({
    host: z.string().nullish(),
    trafficPolicy: trafficPolicySchema.nullish(),
    subsets: z.array(z.looseObject({ name: z.string().nullish(), trafficPolicy: trafficPolicySchema.nullish() })).nullish(),
  }),
);
export type DestinationRule = z.infer<typeof destinationRuleSchema>;
export type LocalityLbSetting = z.infer<typeof localityLbSettingSchema>;
export type LoadBalancer = z.infer<typeof loadBalancerSchema>;
export type OutlierDetection = z.infer<typeof outlierDetectionSchema>;
export type TrafficPolicy = z.infer<typeof trafficPolicySchema>;

// ---- Gateway ----

export const gatewayServerSchema = z.looseObject({
  port: z
    .looseObject({
      number: z.number().nullish(),
      name: z.string().nullish(),
      protocol: z.string().nullish(),
    })
    .nullish(),
  hosts: z.array(z.string()).nullish(),
  tls: z.looseObject({ mode: z.string().nullish() }).nullish(),
});
export const gatewaySchema = resource(
  z.looseObject({
    selector: z.record(z.string(), z.string()).nullish(),
    servers: z.array(gatewayServerSchema).nullish(),
  }),
);
export type Gateway = z.infer<typeof gatewaySchema>;
export type GatewayServer = z.infer<typeof gatewayServerSchema>;

// ---- meshNetworks (IstioOperator values.global.meshNetworks and the `istio` ConfigMap) ----

// Protobuf JSON accepts both the lowerCamel and the original snake_case field names; both occur in
// real installs (registry_service_name in istio's own multicluster examples).
export const networkEndpointSchema = z.looseObject({
  fromCidr: z.string().nullish(),
  from_cidr: z.string().nullish(),
  fromRegistry: z.string().nullish(),
  from_registry: z.string().nullish(),
});
export const networkGatewaySchema = z.looseObject({
  address: z.string().nullish(),
  registryServiceName: z.string().nullish(),
  registry_service_name: z.string().nullish(),
  port: z.union([z.number(), z.string()]).nullish(),
});
export const networkSchema = z.looseObject({
  endpoints: z.array(networkEndpointSchema).nullish(),
  gateways: z.array(networkGatewaySchema).nullish(),
});
export const networksSchema = z.record(z.string(), networkSchema.nullish());
/** The document stored under the `meshNetworks` key of the `istio` ConfigMap. */
export const meshNetworksDocumentSchema = z.looseObject({ networks: networksSchema.nullish() });
export type Networks = z.infer<typeof networksSchema>;
export type Network = z.infer<typeof networkSchema>;

// ---- IstioOperator ----

const envVar = z.looseObject({ name: z.string().nullish(), value: z.string().nullish() });
const servicePort = z.looseObject({
  name: z.string().nullish(),
  port: z.number().nullish(),
  targetPort: z.union([z.number(), z.string()]).nullish(),
});
export const gatewayComponentSchema = z.looseObject({
  name: z.string().nullish(),
  enabled: z.boolean().nullish(),
  namespace: z.string().nullish(),
  label: z.record(z.string(), z.string()).nullish(),
  k8s: z
    .looseObject({
      env: z.array(envVar).nullish(),
      service: z.looseObject({ type: z.string().nullish(), ports: z.array(servicePort).nullish() }).nullish(),
    })
    .nullish(),
});
export const istioOperatorSpecSchema = z.looseObject({
  profile: z.string().nullish(),
  revision: z.string().nullish(),
  components: z
    .looseObject({
      ingressGateways: z.array(gatewayComponentSchema).nullish(),
      egressGateways: z.array(gatewayComponentSchema).nullish(),
    })
    .nullish(),
  values: z
    .looseObject({
      global: z
        .looseObject({
          meshID: z.string().nullish(),
          network: z.string().nullish(),
          multiCluster: z.looseObject({ clusterName: z.string().nullish() }).nullish(),
          meshNetworks: networksSchema.nullish(),
        })
        .nullish(),
    })
    .nullish(),
});
// IstioOperator files are often written without metadata (istioctl reads them locally): metadata is optional.
export const istioOperatorSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: objectMeta.optional(),
  spec: istioOperatorSpecSchema.nullish(),
});
export type IstioOperator = z.infer<typeof istioOperatorSchema>;
export type GatewayComponent = z.infer<typeof gatewayComponentSchema>;

// ---- core kinds, audit/CLI only ----

export const configMapSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: objectMeta,
  data: z.record(z.string(), z.string()).nullish(),
});
export type ConfigMap = z.infer<typeof configMapSchema>;

export const serviceSchema = resource(
  z
    .looseObject({
      type: z.string().nullish(),
      loadBalancerSourceRanges: z.array(z.string()).nullish(),
      ports: z.array(servicePort).nullish(),
    })
    .nullish(),
);
export type Service = z.infer<typeof serviceSchema>;
