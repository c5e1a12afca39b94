// IstioGateway: an ASM-managed ingress or egress gateway (seed 003 step 3, corpus istiogateway-*).
// ASM renders it into a Deployment and a Service in the data-plane clusters, so most checks are the
// Service's and the Deployment's own constraints, caught before ASM fails to render them.

import { ptr } from '../../engine/pointer.ts';
import { defineDefaulter, defineKind, defineValidator } from '../../engine/rule.ts';
import { compareQuantities, parseQuantity } from '../common/quantity.ts';
import { ASM_GROUP, istioGatewaySchema, type IstioGateway, type IstioGatewayPort } from './schema.ts';

export const GATEWAY_NAMESPACE = 'istio-system';
export const GATEWAY_TYPES = ['ingress', 'egress'] as const;
export const SERVICE_TYPES = ['LoadBalancer', 'NodePort', 'ClusterIP'] as const;
export const EXTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
export const PORT_PROTOCOLS = ['TCP', 'UDP'] as const;
/** First ASM version whose gateways accept UDP ports. */
export const UDP_MIN_ASM_VERSION = '1.9.7.107';

/** Seed 003's gateway: what ASM creates when the fields are left out. */
export const DEFAULT_PORTS: readonly IstioGatewayPort[] = [
  { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
];
export const DEFAULT_REPLICA_COUNT = 1;
export const DEFAULT_SERVICE_TYPE = 'LoadBalancer';
export const DEFAULT_EXTERNAL_TRAFFIC_POLICY = 'Cluster';
export const DEFAULT_GATEWAY_TYPE = 'ingress';
export const DEFAULT_ROLLING_MAX_SURGE = '100%';
export const DEFAULT_ROLLING_MAX_UNAVAILABLE = '25%';

const SOURCE = '003';

function list(values: readonly string[]): string {
  return values.join(', ');
}

function ports(obj: IstioGateway): IstioGatewayPort[] {
  return obj.spec?.ports ?? [];
}

/** The protocol the Service will use: Kubernetes defaults an absent protocol to TCP. */
function effectiveProtocol(p: IstioGatewayPort): string {
  return p.protocol ?? 'TCP';
}

// ---------------------------------------------------------------- defaulters

export const defaultGatewayType = defineDefaulter<IstioGateway>({
  id: 'asm-gateway/default-gateway-type',
  severity: 'warning',
  summary: `spec.gatewayType defaults to ${DEFAULT_GATEWAY_TYPE}`,
  source: SOURCE,
  apply(_obj, _ctx, set) {
    set(ptr('spec', 'gatewayType'), DEFAULT_GATEWAY_TYPE, "ASM's default");
  },
});

export const defaultServiceType = defineDefaulter<IstioGateway>({
  id: 'asm-gateway/default-service-type',
  severity: 'warning',
  summary: `spec.serviceType defaults to ${DEFAULT_SERVICE_TYPE}`,
  source: SOURCE,
  apply(_obj, _ctx, set) {
    set(ptr('spec', 'serviceType'), DEFAULT_SERVICE_TYPE, "ASM's default (an SLB)");
  },
});

export const defaultExternalTrafficPolicy = defineDefaulter<IstioGateway>({
  id: 'asm-gateway/default-external-traffic-policy',
  severity: 'warning',
  summary: `spec.externalTrafficPolicy defaults to ${DEFAULT_EXTERNAL_TRAFFIC_POLICY} (not set for a ClusterIP gateway, where it has no meaning)`,
  source: SOURCE,
  apply(obj, _ctx, set) {
    // Runs after the serviceType defaulter, so an absent serviceType has become LoadBalancer here.
    // Kubernetes refuses externalTrafficPolicy on a ClusterIP Service: never add it there.
    if (obj.spec?.serviceType === 'ClusterIP') return;
    set(ptr('spec', 'externalTrafficPolicy'), DEFAULT_EXTERNAL_TRAFFIC_POLICY, "Kubernetes' default");
  },
});

export const defaultPorts = defineDefaulter<IstioGateway>({
  id: 'asm-gateway/default-ports',
  severity: 'warning',
  summary: 'spec.ports defaults to http 80→80/TCP and https 443→443/TCP when absent',
  source: SOURCE,
  apply(_obj, _ctx, set) {
    set(ptr('spec', 'ports'), structuredClone(DEFAULT_PORTS), "ASM's default");
  },
});

export const defaultReplicaCount = defineDefaulter<IstioGateway>({
  id: 'asm-gateway/default-replica-count',
  severity: 'warning',
  summary: `spec.replicaCount defaults to ${DEFAULT_REPLICA_COUNT} (or to minReplicas when that is larger)`,
  source: SOURCE,
  apply(obj, _ctx, set) {
    const min = obj.spec?.minReplicas;
    // A gateway that autoscales from minReplicas would be scaled up at once from 1; start where it would settle.
    if (min !== undefined && min > DEFAULT_REPLICA_COUNT) set(ptr('spec', 'replicaCount'), min, `minReplicas is ${min}`);
    else set(ptr('spec', 'replicaCount'), DEFAULT_REPLICA_COUNT, "ASM's default");
  },
});

export const defaultRollingUpdate = defineDefaulter<IstioGateway>({
  id: 'asm-gateway/default-rolling-update',
  severity: 'warning',
  summary: `spec.rollingMaxSurge defaults to ${DEFAULT_ROLLING_MAX_SURGE} and spec.rollingMaxUnavailable to ${DEFAULT_ROLLING_MAX_UNAVAILABLE}`,
  source: SOURCE,
  apply(_obj, _ctx, set) {
    set(ptr('spec', 'rollingMaxSurge'), DEFAULT_ROLLING_MAX_SURGE, "ASM's default");
    set(ptr('spec', 'rollingMaxUnavailable'), DEFAULT_ROLLING_MAX_UNAVAILABLE, "ASM's default");
  },
});

// ---------------------------------------------------------------- namespace and enums

export const namespaceIstioSystem = defineValidator<IstioGateway>({
  id: 'asm-gateway/namespace-istio-system',
  severity: 'error',
  summary: `an IstioGateway lives in ${GATEWAY_NAMESPACE}; the gateway cannot fetch its configuration from any other namespace`,
  source: SOURCE,
  check(obj, ctx, report) {
    const ns = obj.metadata.namespace || ctx.namespace;
    if (ns && ns !== GATEWAY_NAMESPACE) {
      report(
        ptr('metadata', 'namespace'),
        `IstioGateway ${obj.metadata.name ?? ''} is in namespace ${JSON.stringify(ns)}, but ASM gateways only get their configuration in ${GATEWAY_NAMESPACE}`,
        `set metadata.namespace: ${GATEWAY_NAMESPACE}`,
      );
    }
  },
});

export const namespaceUnset = defineValidator<IstioGateway>({
  id: 'asm-gateway/namespace-unset',
  severity: 'warning',
  summary: `an IstioGateway without metadata.namespace lands in whatever namespace kubectl uses, usually not ${GATEWAY_NAMESPACE}`,
  source: SOURCE,
  check(obj, ctx, report) {
    if (!obj.metadata.namespace && !ctx.namespace) {
      report(ptr('metadata', 'namespace'), `no namespace: the gateway only works in ${GATEWAY_NAMESPACE}`, `set metadata.namespace: ${GATEWAY_NAMESPACE}`);
    }
  },
});

function enumRule(id: string, field: 'gatewayType' | 'serviceType' | 'externalTrafficPolicy', allowed: readonly string[], summary: string) {
  return defineValidator<IstioGateway>({
    id,
    severity: 'error',
    summary,
    source: SOURCE,
    check(obj, _ctx, report) {
      const v = obj.spec?.[field];
      if (v !== undefined && !allowed.includes(v)) {
        const near = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
        report(
          ptr('spec', field),
          `${field} ${JSON.stringify(v)} is not one of ${list(allowed)}`,
          near ? `set spec.${field}: ${near} (values are case-sensitive)` : `set spec.${field} to one of ${list(allowed)}`,
        );
      }
    },
  });
}

export const gatewayTypeValid = enumRule('asm-gateway/gateway-type', 'gatewayType', GATEWAY_TYPES, `spec.gatewayType is one of ${list(GATEWAY_TYPES)}`);
export const serviceTypeValid = enumRule('asm-gateway/service-type', 'serviceType', SERVICE_TYPES, `spec.serviceType is one of ${list(SERVICE_TYPES)}`);
export const externalTrafficPolicyValid = enumRule(
  'asm-gateway/external-traffic-policy',
  'externalTrafficPolicy',
  EXTERNAL_TRAFFIC_POLICIES,
  `spec.externalTrafficPolicy is one of ${list(EXTERNAL_TRAFFIC_POLICIES)}`,
);

export const localPolicyWithClusterIp = defineValidator<IstioGateway>({
  id: 'asm-gateway/local-policy-with-cluster-ip',
  severity: 'warning',
  summary: 'externalTrafficPolicy: Local has no effect on a ClusterIP gateway (no external traffic reaches it)',
  source: SOURCE,
  check(obj, _ctx, report) {
    if (obj.spec?.externalTrafficPolicy === 'Local' && obj.spec.serviceType === 'ClusterIP') {
      report(ptr('spec', 'externalTrafficPolicy'), 'externalTrafficPolicy Local does nothing for serviceType ClusterIP', 'remove spec.externalTrafficPolicy, or set spec.serviceType: LoadBalancer to keep client source IPs');
    }
  },
});

// ---------------------------------------------------------------- ports

export const portsNotEmpty = defineValidator<IstioGateway>({
  id: 'asm-gateway/ports-not-empty',
  severity: 'error',
  summary: 'spec.ports, when written, lists at least one port (a Service without ports is refused)',
  source: SOURCE,
  check(obj, _ctx, report) {
    if (Array.isArray(obj.spec?.ports) && obj.spec.ports.length === 0) {
      report(ptr('spec', 'ports'), 'spec.ports is empty, so the gateway Service would expose nothing and Kubernetes refuses it', 'list the ports, e.g. {name: http, port: 80, targetPort: 80, protocol: TCP}, or remove spec.ports to get ASM\'s http/https defaults');
    }
  },
});

export const portNameUnique = defineValidator<IstioGateway>({
  id: 'asm-gateway/port-name-unique',
  severity: 'error',
  summary: 'port names are unique',
  source: SOURCE,
  check(obj, _ctx, report) {
    const seen = new Map<string, number>();
    ports(obj).forEach((p, i) => {
      if (p.name === undefined || p.name === '') return;
      const first = seen.get(p.name);
      if (first === undefined) seen.set(p.name, i);
      else report(ptr('spec', 'ports', i, 'name'), `port name ${JSON.stringify(p.name)} is already used by spec.ports[${first}]`, `rename it, e.g. ${p.name}-${p.port ?? i}`);
    });
  },
});

export const portNumberUnique = defineValidator<IstioGateway>({
  id: 'asm-gateway/port-number-unique',
  severity: 'error',
  summary: 'no two ports share a port number and protocol (the same number over TCP and UDP is allowed, e.g. 443 for HTTP/3)',
  source: SOURCE,
  check(obj, _ctx, report) {
    const seen = new Map<string, number>();
    ports(obj).forEach((p, i) => {
      if (p.port === undefined) return;
      const key = `${p.port}/${effectiveProtocol(p)}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else report(ptr('spec', 'ports', i, 'port'), `port ${key} is already exposed by spec.ports[${first}]`, 'use a different port number, or remove the duplicate entry');
    });
  },
});

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

export const portRange = defineValidator<IstioGateway>({
  id: 'asm-gateway/port-range',
  severity: 'error',
  summary: 'every port has `port` in 1..65535, and `targetPort`, when set and not 0, in 1..65535',
  source: SOURCE,
  check(obj, _ctx, report) {
    ports(obj).forEach((p, i) => {
      if (p.port === undefined) {
        report(ptr('spec', 'ports', i), `spec.ports[${i}]${p.name ? ` (${p.name})` : ''} has no port`, 'set port to the number clients connect to, 1..65535');
      } else if (!validPort(p.port)) {
        report(ptr('spec', 'ports', i, 'port'), `port ${p.port} is outside 1..65535`, 'set port to a number from 1 to 65535');
      }
      // targetPort 0 means "unset" to Kubernetes: its own (warning) rule says so.
      if (p.targetPort !== undefined && p.targetPort !== 0 && !validPort(p.targetPort)) {
        report(ptr('spec', 'ports', i, 'targetPort'), `targetPort ${p.targetPort} is outside 1..65535`, 'set targetPort to the container port, 1..65535');
      }
    });
  },
});

export const targetPortZero = defineValidator<IstioGateway>({
  id: 'asm-gateway/target-port-zero',
  severity: 'warning',
  summary: 'targetPort 0 is treated by Kubernetes as unset: traffic goes to the container port equal to `port`',
  source: SOURCE,
  check(obj, _ctx, report) {
    ports(obj).forEach((p, i) => {
      if (p.targetPort === 0) {
        const to = p.port !== undefined ? String(p.port) : 'port';
        report(ptr('spec', 'ports', i, 'targetPort'), `targetPort 0 counts as unset: traffic goes to container port ${to}`, `set targetPort explicitly, e.g. ${to}`);
      }
    });
  },
});

export const portProtocol = defineValidator<IstioGateway>({
  id: 'asm-gateway/port-protocol',
  severity: 'error',
  summary: `port protocol is one of ${list(PORT_PROTOCOLS)}`,
  source: SOURCE,
  check(obj, _ctx, report) {
    ports(obj).forEach((p, i) => {
      if (p.protocol === undefined || (PORT_PROTOCOLS as readonly string[]).includes(p.protocol)) return;
      const upper = p.protocol.toUpperCase();
      const hint = (PORT_PROTOCOLS as readonly string[]).includes(upper)
        ? `set protocol: ${upper} (case-sensitive)`
        : `set protocol: TCP (HTTP, HTTPS and gRPC all run over TCP; the Service protocol is ${list(PORT_PROTOCOLS)})`;
      report(ptr('spec', 'ports', i, 'protocol'), `protocol ${JSON.stringify(p.protocol)} is not one of ${list(PORT_PROTOCOLS)}`, hint);
    });
  },
});

export const udpNeedsRecentAsm = defineValidator<IstioGateway>({
  id: 'asm-gateway/udp-needs-recent-asm',
  severity: 'warning',
  summary: `a UDP port needs ASM ${UDP_MIN_ASM_VERSION} or later; earlier versions accept only TCP`,
  source: SOURCE,
  check(obj, _ctx, report) {
    ports(obj).forEach((p, i) => {
      if (p.protocol === 'UDP') {
        report(ptr('spec', 'ports', i, 'protocol'), `UDP ports need ASM ${UDP_MIN_ASM_VERSION}+ (older versions accept only TCP)`, `check the ASM instance version, upgrade it if older than ${UDP_MIN_ASM_VERSION}`);
      }
    });
  },
});

// ---------------------------------------------------------------- replicas and resources

export const replicaCountValid = defineValidator<IstioGateway>({
  id: 'asm-gateway/replica-count',
  severity: 'error',
  summary: 'spec.replicaCount is not negative',
  source: SOURCE,
  check(obj, _ctx, report) {
    const n = obj.spec?.replicaCount;
    if (n !== undefined && n < 0) report(ptr('spec', 'replicaCount'), `replicaCount ${n} is negative`, 'set spec.replicaCount to 1 or more');
  },
});

export const replicaCountZero = defineValidator<IstioGateway>({
  id: 'asm-gateway/replica-count-zero',
  severity: 'warning',
  summary: 'spec.replicaCount 0 leaves the gateway without pods: traffic through it fails',
  source: SOURCE,
  check(obj, _ctx, report) {
    if (obj.spec?.replicaCount === 0) report(ptr('spec', 'replicaCount'), 'replicaCount 0: no gateway pods, traffic through it fails', 'set spec.replicaCount to 1 or more');
  },
});

type ResourceSide = 'requests' | 'limits';

export const resourceQuantity = defineValidator<IstioGateway>({
  id: 'asm-gateway/resource-quantity',
  severity: 'error',
  summary: 'every resources.requests / resources.limits value is a non-negative Kubernetes quantity (e.g. 200m, 2, 256Mi, 2G)',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const side of ['requests', 'limits'] as const satisfies readonly ResourceSide[]) {
      for (const [name, value] of Object.entries(obj.spec?.resources?.[side] ?? {})) {
        const q = parseQuantity(value);
        if (!q) {
          report(ptr('spec', 'resources', side, name), `${side}.${name} ${JSON.stringify(value)} is not a Kubernetes quantity`, `write it like 200m or 2 (CPU) or 256Mi or 2G (memory)`);
        } else if (q.sign < 0) {
          report(ptr('spec', 'resources', side, name), `${side}.${name} ${JSON.stringify(value)} is negative`, 'use a positive quantity');
        }
      }
    }
  },
});

export const requestsWithinLimits = defineValidator<IstioGateway>({
  id: 'asm-gateway/requests-within-limits',
  severity: 'error',
  summary: 'each resources.requests value is at most the matching resources.limits value (compared as quantities: 200m < 2, 256Mi < 2G)',
  source: SOURCE,
  check(obj, _ctx, report) {
    const requests = obj.spec?.resources?.requests ?? {};
    const limits = obj.spec?.resources?.limits ?? {};
    for (const [name, request] of Object.entries(requests)) {
      if (!Object.hasOwn(limits, name)) continue;
      const limit = limits[name];
      const r = parseQuantity(request);
      const l = parseQuantity(limit);
      if (!r || !l) continue; // the quantity rule reports these
      if (compareQuantities(r, l) > 0) {
        report(
          ptr('spec', 'resources', 'requests', name),
          `requests.${name} ${String(request)} is more than limits.${name} ${String(limit)}; Kubernetes refuses the gateway pods`,
          `lower spec.resources.requests.${name} to at most ${String(limit)}, or raise the limit`,
        );
      }
    }
  },
});

// ---------------------------------------------------------------- rollout

type RolloutAmount = { kind: 'int'; value: number } | { kind: 'percent'; value: number };

function rolloutAmount(v: number | string): RolloutAmount | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? { kind: 'int', value: v } : undefined;
  const m = /^(\d{1,9})%$/.exec(v);
  return m ? { kind: 'percent', value: Number(m[1]) } : undefined;
}

function isZero(v: number | string | undefined): boolean {
  if (v === undefined) return false;
  const a = rolloutAmount(v);
  return a !== undefined && a.value === 0;
}

export const rollingUpdateFormat = defineValidator<IstioGateway>({
  id: 'asm-gateway/rolling-update-format',
  severity: 'error',
  summary: 'rollingMaxSurge and rollingMaxUnavailable are a non-negative integer or a percentage (rollingMaxUnavailable at most 100%)',
  source: SOURCE,
  check(obj, _ctx, report) {
    for (const field of ['rollingMaxSurge', 'rollingMaxUnavailable'] as const) {
      const v = obj.spec?.[field];
      if (v === undefined) continue;
      const a = rolloutAmount(v);
      const at = ptr('spec', field);
      if (!a) {
        const fix =
          typeof v === 'string' && /^\d+$/.test(v)
            ? `write ${v} as a number (no quotes) or as a percentage like ${v}%`
            : `set spec.${field} to a whole number of pods (e.g. 1) or a percentage (e.g. 25%)`;
        report(at, `${field} ${JSON.stringify(v)} is neither a non-negative integer nor a percentage`, fix);
      } else if (field === 'rollingMaxUnavailable' && a.kind === 'percent' && a.value > 100) {
        report(at, `rollingMaxUnavailable ${String(v)} is more than 100%`, 'set spec.rollingMaxUnavailable to at most 100%, e.g. 25%');
      }
    }
  },
});

export const rollingUpdateNotBothZero = defineValidator<IstioGateway>({
  id: 'asm-gateway/rolling-update-not-both-zero',
  severity: 'error',
  summary: 'rollingMaxSurge and rollingMaxUnavailable are not both zero: a rollout could never replace a pod',
  source: SOURCE,
  check(obj, _ctx, report) {
    const s = obj.spec;
    if (s && isZero(s.rollingMaxSurge) && isZero(s.rollingMaxUnavailable)) {
      report(
        ptr('spec', 'rollingMaxUnavailable'),
        `rollingMaxSurge ${String(s.rollingMaxSurge)} and rollingMaxUnavailable ${String(s.rollingMaxUnavailable)} are both zero, so a rollout can neither add nor remove a pod`,
        `set spec.rollingMaxSurge: ${DEFAULT_ROLLING_MAX_SURGE} (or rollingMaxUnavailable: ${DEFAULT_ROLLING_MAX_UNAVAILABLE})`,
      );
    }
  },
});

export const istioGatewayKind = defineKind<IstioGateway>({
  group: ASM_GROUP,
  kind: 'IstioGateway',
  // The corpus (istiogateway-asmlabs-1, istiogateway-aliyunsdk-1) and seed 003 only use v1beta1.
  versions: ['v1beta1'],
  plural: 'istiogateways',
  scope: 'Namespaced',
  admission: true,
  schema: istioGatewaySchema,
  // Order matters: serviceType before externalTrafficPolicy (which is not added to a ClusterIP gateway).
  defaulters: [defaultGatewayType, defaultServiceType, defaultExternalTrafficPolicy, defaultPorts, defaultReplicaCount, defaultRollingUpdate],
  validators: [
    namespaceIstioSystem,
    namespaceUnset,
    gatewayTypeValid,
    serviceTypeValid,
    externalTrafficPolicyValid,
    localPolicyWithClusterIp,
    portsNotEmpty,
    portNameUnique,
    portNumberUnique,
    portRange,
    targetPortZero,
    portProtocol,
    udpNeedsRecentAsm,
    replicaCountValid,
    replicaCountZero,
    resourceQuantity,
    requestsWithinLimits,
    rollingUpdateFormat,
    rollingUpdateNotBothZero,
  ],
});
