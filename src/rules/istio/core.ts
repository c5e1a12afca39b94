// Core kinds meshguard reads but never intercepts at admission (audit and CLI only; the chart's webhooks
// do not match core kinds, so meshguard cannot lock a cluster): the `istio` ConfigMap's meshNetworks,
// and the east-west gateway Service (seed 001: it is public on the internet by default).

import { parse as parseYaml } from 'yaml';
import { ptr } from '../../engine/pointer.ts';
import { defineKind, defineValidator, type Validator } from '../../engine/rule.ts';
import { deepFreeze, type KObject } from '../../engine/types.ts';
import { CROSS_NETWORK_PORT, EAST_WEST_GATEWAY_LABEL_VALUES } from './gateway.ts';
import { MESH_NETWORK_CHECKS, relText } from './meshnetworks.ts';
import { configMapSchema, meshNetworksDocumentSchema, serviceSchema, type ConfigMap, type Networks, type Service } from './schema.ts';

export const ISTIO_NAMESPACE = 'istio-system';
export const MESH_NETWORKS_KEY = 'meshNetworks';

const meta = (obj: KObject) => obj.metadata ?? {};
const inIstioNamespace = (obj: KObject) => meta(obj).namespace === undefined || meta(obj).namespace === ISTIO_NAMESPACE;

/**
 * The mesh ConfigMap of an Istio control plane: `istio`, or `istio-<revision>` for revisioned installs
 * (seed 001 installs revision asm-1226-2), in istio-system (or with no namespace, as in a local file).
 * Other istio-* ConfigMaps (istio-ca-root-cert, istio-sidecar-injector…) carry neither `mesh` nor `meshNetworks`.
 */
export function isIstioMeshConfigMap(obj: KObject): boolean {
  if (obj.kind !== 'ConfigMap' || !inIstioNamespace(obj)) return false;
  const name = meta(obj).name ?? '';
  if (name !== 'istio' && !name.startsWith('istio-')) return false;
  const data = obj.data;
  return typeof data === 'object' && data !== null && (Object.hasOwn(data, 'mesh') || Object.hasOwn(data, MESH_NETWORKS_KEY));
}

/** The networks map of the ConfigMap's meshNetworks document, or why it cannot be read. */
export function configMapNetworks(cm: ConfigMap): { networks?: Networks; problem?: string } {
  const text = cm.data?.[MESH_NETWORKS_KEY];
  if (text === undefined || text.trim() === '') return {};
  // Every meshNetworks check and every inventory rule reads the same few ConfigMaps: parse each text once.
  const cached = networksByText.get(text);
  if (cached) return cached;
  const read = deepFreeze(readNetworks(text));
  if (networksByText.size >= NETWORKS_CACHE_SIZE) networksByText.delete(networksByText.keys().next().value as string);
  networksByText.set(text, read);
  return read;
}

const NETWORKS_CACHE_SIZE = 64;
const networksByText = new Map<string, { networks?: Networks; problem?: string }>();

function readNetworks(text: string): { networks?: Networks; problem?: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { problem: `is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  if (doc === null || doc === undefined) return {};
  const r = meshNetworksDocumentSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { problem: `does not have the meshNetworks shape at ${(issue?.path ?? []).map(String).join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}` };
  }
  return r.data.networks ? { networks: r.data.networks } : {};
}

export const meshNetworksYaml = defineValidator<ConfigMap>({
  id: 'istio-cm/mesh-networks-yaml',
  severity: 'error',
  summary: 'the meshNetworks key of the istio ConfigMap is a YAML document {networks: {...}} (istiod cannot load it otherwise)',
  source: '001, istio',
  check(obj, _ctx, report) {
    const { problem } = configMapNetworks(obj);
    if (problem) report(ptr('data', MESH_NETWORKS_KEY), `data.meshNetworks ${problem}`, 'write meshNetworks as YAML: networks: {<network>: {endpoints: [{fromRegistry: <cluster>}], gateways: [{address: <ip>, port: 15443}]}}');
  },
});

/** The shared meshNetworks checks, applied to data.meshNetworks (findings point at the key, the message names the place inside). */
export const configMapMeshNetworksValidators: Array<Validator<ConfigMap>> = MESH_NETWORK_CHECKS.map((c) =>
  defineValidator<ConfigMap>({
    id: c.id,
    severity: c.severity,
    summary: c.summary,
    source: c.source,
    check(obj, _ctx, report) {
      const { networks } = configMapNetworks(obj);
      if (!networks) return;
      for (const issue of c.run(networks)) report(ptr('data', MESH_NETWORKS_KEY), `${relText(issue.rel)}: ${issue.message}`, issue.fix);
    },
  }),
);

export const istioConfigMapKind = defineKind<ConfigMap>({
  group: '',
  kind: 'ConfigMap',
  versions: ['v1'],
  plural: 'configmaps',
  scope: 'Namespaced',
  admission: false,
  applies: isIstioMeshConfigMap,
  schema: configMapSchema,
  defaulters: [],
  validators: [meshNetworksYaml, ...configMapMeshNetworksValidators],
});

// ---- east-west gateway Service ----

/**
 * Annotations that make a cloud load balancer internal (private addresses only). A value of `false` (or
 * AWS's `internet-facing` scheme) does not count.
 */
export const INTERNAL_LB_ANNOTATIONS: Readonly<Record<string, (v: string) => boolean>> = {
  'networking.gke.io/load-balancer-type': (v) => v.toLowerCase() === 'internal',
  'cloud.google.com/load-balancer-type': (v) => v.toLowerCase() === 'internal',
  'service.beta.kubernetes.io/aws-load-balancer-internal': (v) => v !== '' && v.toLowerCase() !== 'false',
  'service.beta.kubernetes.io/aws-load-balancer-scheme': (v) => v.toLowerCase() === 'internal',
  'service.beta.kubernetes.io/azure-load-balancer-internal': (v) => v.toLowerCase() === 'true',
  'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type': (v) => v.toLowerCase() === 'intranet',
  'service.beta.kubernetes.io/oci-load-balancer-internal': (v) => v.toLowerCase() === 'true',
  'service.beta.kubernetes.io/openstack-internal-load-balancer': (v) => v.toLowerCase() === 'true',
  'service.beta.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type': (v) => v.toLowerCase() === 'private',
  'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid': (v) => v !== '',
};

/** An east-west gateway Service: labelled istio=eastwestgateway (or app=istio-eastwestgateway), or so named. */
export function isEastWestService(obj: KObject): boolean {
  if (obj.kind !== 'Service') return false;
  const labels = meta(obj).labels ?? {};
  if (EAST_WEST_GATEWAY_LABEL_VALUES.includes(labels.istio ?? '') || EAST_WEST_GATEWAY_LABEL_VALUES.includes(labels.app ?? '')) return true;
  return (meta(obj).name ?? '').includes('eastwestgateway');
}

export const eastWestPublicLoadBalancer = defineValidator<Service>({
  id: 'istio-svc/eastwest-public-load-balancer',
  severity: 'warning',
  summary: 'an east-west gateway Service of type LoadBalancer has loadBalancerSourceRanges or an internal load-balancer annotation (otherwise it is public on the internet)',
  source: '001',
  check(obj, _ctx, report) {
    if (obj.spec?.type !== 'LoadBalancer') return;
    if ((obj.spec.loadBalancerSourceRanges?.length ?? 0) > 0) return;
    const annotations = obj.metadata.annotations ?? {};
    if (Object.entries(annotations).some(([k, v]) => INTERNAL_LB_ANNOTATIONS[k]?.(v))) return;
    const has15443 = (obj.spec.ports ?? []).some((p) => p.port === CROSS_NETWORK_PORT);
    report(
      ptr('spec', 'type'),
      `east-west gateway Service is a LoadBalancer with no loadBalancerSourceRanges and no internal load-balancer annotation, so its ports${has15443 ? ` (${CROSS_NETWORK_PORT} included)` : ''} are open to the internet`,
      "set spec.loadBalancerSourceRanges to the peer clusters' egress CIDRs, or annotate it as an internal load balancer (e.g. networking.gke.io/load-balancer-type: Internal); firewall rules outside the cluster also work",
    );
  },
});

export const eastWestServiceKind = defineKind<Service>({
  group: '',
  kind: 'Service',
  versions: ['v1'],
  plural: 'services',
  scope: 'Namespaced',
  admission: false,
  applies: isEastWestService,
  schema: serviceSchema,
  defaulters: [],
  validators: [eastWestPublicLoadBalancer],
});
