// meshNetworks: which endpoints belong to which network and through which gateways each network is
// reached (seed 001's multi-network mesh). The same document lives in an IstioOperator
// (values.global.meshNetworks, the networks map itself) and in the `istio` ConfigMap (data.meshNetworks,
// a YAML string `networks: {...}`). The checks here are written once over the networks map and wrapped
// per kind, so both report the same rule IDs.

import { isIP } from 'node:net';
import { dotted, ptr } from '../../engine/pointer.ts';
import type { Severity } from '../../engine/types.ts';
import { overlapPairs, parseCidr, type Cidr } from '../../net/cidr.ts';
import type { Network, Networks } from './schema.ts';

type Tokens = Array<string | number>;

export interface NetworkIssue {
  /** Tokens relative to the networks map, e.g. ['network1', 'endpoints', 0, 'fromCidr']. */
  rel: Tokens;
  message: string;
  fix: string;
}

export interface MeshNetworkCheck {
  id: string;
  severity: Severity;
  summary: string;
  source: string;
  run(networks: Networks): NetworkIssue[];
}

/** Unrendered template or shell placeholders (`${NETWORK}`, `{{ .X }}`, `$(VAR)`): their values are not checked. */
export function isPlaceholder(s: string): boolean {
  return /\$\{|\$\(|\{\{/.test(s);
}

// Istio's DNS-1123 label accepts upper-case letters (its registries include `Kubernetes`).
const DNS_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

export function isRegistryName(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

/** A fully-qualified domain name as Istio validates one (labels, length, non-numeric top-level domain). */
export function isFqdn(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  const parts = s.split('.');
  const tld = parts[parts.length - 1]!;
  if (/^\d+$/.test(tld)) return false;
  return parts.every((label, i) => (i === parts.length - 1 && label === '' && i > 0) || isRegistryName(label));
}

export interface EndpointRef {
  network: string;
  index: number;
  field: 'fromCidr' | 'from_cidr' | 'fromRegistry' | 'from_registry';
  value: string;
}
export interface GatewayRef {
  network: string;
  index: number;
  address?: string;
  serviceName?: string;
  serviceField?: 'registryServiceName' | 'registry_service_name';
  port: unknown;
}

const entries = (networks: Networks) => Object.entries(networks).map(([name, n]) => [name, n ?? {}] as [string, Network]);

export function endpointRefs(networks: Networks, kind: 'cidr' | 'registry'): EndpointRef[] {
  const out: EndpointRef[] = [];
  const fields = kind === 'cidr' ? (['fromCidr', 'from_cidr'] as const) : (['fromRegistry', 'from_registry'] as const);
  for (const [network, n] of entries(networks)) {
    (n.endpoints ?? []).forEach((e, index) => {
      for (const field of fields) {
        const value = e[field];
        if (typeof value === 'string') out.push({ network, index, field, value });
      }
    });
  }
  return out;
}

export function gatewayRefs(networks: Networks): GatewayRef[] {
  const out: GatewayRef[] = [];
  for (const [network, n] of entries(networks)) {
    (n.gateways ?? []).forEach((g, index) => {
      const ref: GatewayRef = { network, index, port: g.port };
      if (typeof g.address === 'string') ref.address = g.address;
      if (typeof g.registryServiceName === 'string') {
        ref.serviceName = g.registryServiceName;
        ref.serviceField = 'registryServiceName';
      } else if (typeof g.registry_service_name === 'string') {
        ref.serviceName = g.registry_service_name;
        ref.serviceField = 'registry_service_name';
      }
      out.push(ref);
    });
  }
  return out;
}

/** fromCidr as Istio reads it: a CIDR, or a single address (a /32 or /128). */
export function endpointCidr(value: string): { cidr?: Cidr; reason?: string } {
  if (value.includes('/')) {
    const r = parseCidr(value);
    return r.ok ? { cidr: r.cidr } : { reason: r.reason };
  }
  const v = isIP(value);
  if (v === 0) return { reason: `${JSON.stringify(value)} is not an IP address or CIDR` };
  const r = parseCidr(`${value}/${v === 4 ? 32 : 128}`);
  return r.ok ? { cidr: r.cidr } : { reason: r.reason };
}

export function relation(a: Cidr, b: Cidr): string {
  if (a.start === b.start && a.end === b.end) return 'is the same range as';
  if (a.start <= b.start && b.end <= a.end) return 'is a supernet of';
  return 'lies inside';
}

export const cidrRef = (e: EndpointRef): Tokens => [e.network, 'endpoints', e.index, e.field];

/**
 * Refs whose key was already seen in another network, each with the first ref that had it (the key
 * belongs to one network only). Refs without a key (undefined) are passed over.
 */
function inSeveralNetworks<R extends { network: string }>(refs: R[], keyOf: (r: R) => string | undefined): Array<{ ref: R; prev: R }> {
  const first = new Map<string, R>();
  const out: Array<{ ref: R; prev: R }> = [];
  for (const ref of refs) {
    const key = keyOf(ref);
    if (key === undefined) continue;
    const prev = first.get(key);
    if (!prev) first.set(key, ref);
    else if (prev.network !== ref.network) out.push({ ref, prev });
  }
  return out;
}

export const fromCidrInvalid = defineCheck({
  id: 'istio-mesh/from-cidr-invalid',
  severity: 'error',
  summary: 'every meshNetworks fromCidr is an IP address or CIDR block (Istio rejects others)',
  source: 'istio',
  run(networks) {
    const out: NetworkIssue[] = [];
    for (const e of endpointRefs(networks, 'cidr')) {
      if (isPlaceholder(e.value)) continue;
      const r = endpointCidr(e.value);
      if (r.reason) out.push({ rel: cidrRef(e), message: `fromCidr ${JSON.stringify(e.value)} of network ${e.network} is not a valid CIDR: ${r.reason} (Istio rejects it)`, fix: 'write an address block such as 10.1.0.0/16 (or a single address)' });
    }
    return out;
  },
});

export const fromCidrOverlap = defineCheck({
  id: 'istio-mesh/from-cidr-overlap',
  severity: 'error',
  summary: 'fromCidr ranges of different networks do not overlap (IPv4 and IPv6, supernets included): an endpoint address must map to one network',
  source: '001',
  run(networks) {
    const refs = endpointRefs(networks, 'cidr')
      .map((e) => ({ e, cidr: isPlaceholder(e.value) ? undefined : endpointCidr(e.value).cidr }))
      .filter((x): x is { e: EndpointRef; cidr: Cidr } => x.cidr !== undefined);
    const out: NetworkIssue[] = [];
    for (const [i, j] of overlapPairs(refs.map((r) => r.cidr))) {
      const a = refs[i]!;
      const b = refs[j]!;
      if (a.e.network === b.e.network) continue;
      out.push({
        rel: cidrRef(b.e),
        message: `fromCidr ${b.e.value} of network ${b.e.network} ${relation(b.cidr, a.cidr)} ${a.e.value} of network ${a.e.network}; endpoints in the common range would be put in either network`,
        fix: `make the ranges of ${a.e.network} and ${b.e.network} disjoint (e.g. per-cluster pod CIDRs 10.0.0.0/16 and 10.1.0.0/16, seed 003)`,
      });
    }
    return out;
  },
});

export const registryInSeveralNetworks = defineCheck({
  id: 'istio-mesh/registry-in-several-networks',
  severity: 'error',
  summary: 'a fromRegistry (cluster) belongs to one network only',
  source: '001',
  run(networks) {
    return inSeveralNetworks(endpointRefs(networks, 'registry'), (e) => e.value).map(({ ref: e, prev }) => ({
      rel: cidrRef(e),
      message: `fromRegistry ${e.value} is in network ${e.network} and also in network ${prev.network}; a cluster's endpoints belong to one network`,
      fix: `keep ${e.value} in the one network its cluster is on (values.global.network of that cluster)`,
    }));
  },
});

export const registryNameInvalid = defineCheck({
  id: 'istio-mesh/registry-name-invalid',
  severity: 'error',
  summary: 'every fromRegistry is a valid registry (cluster) name, a DNS-1123 label (Istio rejects others)',
  source: 'istio',
  run(networks) {
    return endpointRefs(networks, 'registry')
      .filter((e) => !isPlaceholder(e.value) && !isRegistryName(e.value))
      .map((e) => ({ rel: cidrRef(e), message: `invalid registry name ${JSON.stringify(e.value)} in network ${e.network}: a registry is a cluster name, a DNS label without dots (Istio rejects it)`, fix: 'use the cluster name (values.global.multiCluster.clusterName of that cluster), or Kubernetes for the local one' }));
  },
});

const gatewayRel = (g: GatewayRef, field?: string): Tokens => (field ? [g.network, 'gateways', g.index, field] : [g.network, 'gateways', g.index]);

export const gatewayAddressInSeveralNetworks = defineCheck({
  id: 'istio-mesh/gateway-address-in-several-networks',
  severity: 'error',
  summary: 'a meshNetworks gateway address belongs to one network only',
  source: '001',
  run(networks) {
    const addressOf = (g: GatewayRef) => (g.address === undefined || isPlaceholder(g.address) ? undefined : g.address.toLowerCase());
    return inSeveralNetworks(gatewayRefs(networks), addressOf).map(({ ref: g, prev }) => ({
      rel: gatewayRel(g, 'address'),
      message: `gateway address ${g.address} of network ${g.network} is also the gateway of network ${prev.network}; each network is entered through its own gateway`,
      fix: `give ${g.network} the address of its own east-west gateway`,
    }));
  },
});

export const gatewayTargetInvalid = defineCheck({
  id: 'istio-mesh/gateway-target-invalid',
  severity: 'error',
  summary: 'every meshNetworks gateway has an address (IP or DNS name) or a registryServiceName that is a valid FQDN (Istio rejects others)',
  source: 'istio',
  run(networks) {
    const out: NetworkIssue[] = [];
    for (const g of gatewayRefs(networks)) {
      if (g.address === undefined && g.serviceName === undefined) {
        out.push({ rel: gatewayRel(g), message: `gateway ${g.index} of network ${g.network} has neither address nor registryServiceName`, fix: 'set registryServiceName (e.g. istio-eastwestgateway.istio-system.svc.cluster.local) or the gateway address' });
        continue;
      }
      if (g.address !== undefined && !isPlaceholder(g.address) && isIP(g.address) === 0 && !isFqdn(g.address)) {
        out.push({ rel: gatewayRel(g, 'address'), message: `gateway address ${JSON.stringify(g.address)} of network ${g.network} is not a valid IP address or DNS name (Istio rejects it)`, fix: "write the east-west gateway's load balancer IP (or its DNS name)" });
      }
      if (g.serviceName !== undefined && !isPlaceholder(g.serviceName) && !isFqdn(g.serviceName)) {
        out.push({ rel: gatewayRel(g, g.serviceField), message: `registryServiceName ${JSON.stringify(g.serviceName)} of network ${g.network} is not a valid FQDN (Istio rejects it)`, fix: 'write the gateway Service FQDN, e.g. istio-eastwestgateway.istio-system.svc.cluster.local' });
      }
    }
    return out;
  },
});

function portNumber(p: unknown): number | undefined {
  if (typeof p === 'number') return p;
  if (typeof p === 'string' && /^\d+$/.test(p)) return Number(p);
  return undefined;
}

export const gatewayPortRange = defineCheck({
  id: 'istio-mesh/gateway-port-range',
  severity: 'error',
  summary: 'every meshNetworks gateway port is in 1..65535 (Istio rejects others, including a missing port)',
  source: 'istio, 001',
  run(networks) {
    const out: NetworkIssue[] = [];
    for (const g of gatewayRefs(networks)) {
      if (typeof g.port === 'string' && isPlaceholder(g.port)) continue;
      const n = portNumber(g.port);
      if (n === undefined || !Number.isInteger(n) || n < 1 || n > 65535) {
        out.push({ rel: gatewayRel(g, 'port'), message: `gateway ${g.index} of network ${g.network} has port ${g.port === undefined || g.port === null ? '(none)' : JSON.stringify(g.port)}, not a port number in 1..65535 (Istio rejects it)`, fix: 'set port: 15443, the east-west gateway port (seed 001)' });
      }
    }
    return out;
  },
});

export const networkWithoutEndpoints = defineCheck({
  id: 'istio-mesh/network-without-endpoints',
  severity: 'warning',
  summary: 'every meshNetworks network lists endpoints (fromRegistry or fromCidr); without them no endpoint is put in it by meshNetworks',
  source: '001',
  run(networks) {
    return entries(networks)
      .filter(([, n]) => (n.endpoints?.length ?? 0) === 0)
      .map(([name]) => ({ rel: [name], message: `network ${name} has no endpoints, so meshNetworks puts no endpoint in it (only topology.istio.io/network labels can)`, fix: `add endpoints: [{fromRegistry: <cluster name>}] to network ${name}` }));
  },
});

export const networkWithoutGateways = defineCheck({
  id: 'istio-mesh/network-without-gateways',
  severity: 'warning',
  summary: 'every meshNetworks network lists gateways; without them other networks reach it only through gateways discovered by label',
  source: '001',
  run(networks) {
    return entries(networks)
      .filter(([, n]) => (n.gateways?.length ?? 0) === 0)
      .map(([name]) => ({ rel: [name], message: `network ${name} has no gateways, so other networks reach it only if its east-west gateway Service carries topology.istio.io/network=${name}`, fix: `add gateways: [{registryServiceName: istio-eastwestgateway.istio-system.svc.cluster.local, port: 15443}] to network ${name}` }));
  },
});

function defineCheck(c: MeshNetworkCheck): MeshNetworkCheck {
  return c;
}

export const MESH_NETWORK_CHECKS: readonly MeshNetworkCheck[] = [
  fromCidrInvalid,
  fromCidrOverlap,
  registryInSeveralNetworks,
  registryNameInvalid,
  gatewayAddressInSeveralNetworks,
  gatewayTargetInvalid,
  gatewayPortRange,
  networkWithoutEndpoints,
  networkWithoutGateways,
];

/** `network1.endpoints[0].fromCidr` for messages about a ConfigMap, where the pointer cannot reach inside the YAML string. */
export function relText(rel: Tokens): string {
  return dotted(ptr('networks', ...rel));
}
